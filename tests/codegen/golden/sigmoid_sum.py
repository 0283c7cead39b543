def d_sigmoid_sum(x, *, d_out=1.0):
    exp_neg_x = np.exp(-x)
    plus_exp_neg_x = 1.0 + exp_neg_x
    d_x = -(-d_out * (1.0 / plus_exp_neg_x) / plus_exp_neg_x * exp_neg_x)
    return (d_x,)
