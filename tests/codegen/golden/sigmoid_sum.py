def d_sigmoid_sum(x, *, d_out=1.0):
    neg_x = -x
    exp_neg_x = np.exp(neg_x)
    plus_exp_neg_x = 1.0 + exp_neg_x
    over = 1.0 / plus_exp_neg_x
    d_plus_exp_neg_x = -d_out * over / plus_exp_neg_x
    d_neg_x = d_plus_exp_neg_x * exp_neg_x
    d_x = -d_neg_x
    return d_x,
