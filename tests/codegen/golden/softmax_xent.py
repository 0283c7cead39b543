def d_softmax_xent(Z, onehot, *, d_out=1.0):
    m = np.max(Z, axis=1, keepdims=True)
    Z_minus_m = Z - m
    exp_Z_minus_m = np.exp(Z_minus_m)
    sum_exp_Z_minus_m = np.sum(exp_Z_minus_m, axis=1, keepdims=True)
    d_neg_sum_times = d_out / Z.shape[0]
    d_sum_times = -d_neg_sum_times
    d_Z_minus_lse = d_sum_times * onehot
    d_Z = d_Z_minus_lse
    d_lse = np.sum(-d_Z_minus_lse, axis=1, keepdims=True)
    d_m = d_lse
    d_sum_exp_Z_minus_m = d_lse / sum_exp_Z_minus_m
    d_Z_minus_m = d_sum_exp_Z_minus_m * exp_Z_minus_m
    d_Z = d_Z_minus_lse + d_Z_minus_m
    d_m = d_lse + np.sum(-d_Z_minus_m, axis=1, keepdims=True)
    hit = Z == unreduce(m, Z, 1, True, np)
    d_Z = d_Z + np.broadcast_to(d_m, np.shape(Z)) * hit / np.sum(hit, axis=1, keepdims=True)
    return d_Z,
