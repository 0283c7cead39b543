def d_softmax_xent(Z, onehot, *, d_out=1.0):
    m = np.max(Z, axis=1, keepdims=True)
    exp_Z_minus_m = np.exp(Z - m)
    d_Z_minus_lse = -(d_out / Z.shape[0]) * onehot
    d_lse = -d_Z_minus_lse.sum(axis=1, keepdims=True)
    d_Z = d_Z_minus_lse + d_lse / np.sum(exp_Z_minus_m, axis=1, keepdims=True) * exp_Z_minus_m
    return (d_Z,)
