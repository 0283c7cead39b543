def d_mlp(X, W1, b1, W2, b2, *, d_out_1=1.0):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    d_out = d_out_1 / X.shape[0] * 2 * out
    d_b2 = d_out.sum(axis=0)
    d_h = d_out @ W2.T
    d_W2 = h.T @ d_out
    d_X_at_W1_plus_b1 = d_h * (1.0 - h * h)
    d_b1 = d_X_at_W1_plus_b1.sum(axis=0)
    d_W1 = X.T @ d_X_at_W1_plus_b1
    return (d_W1, d_b1, d_W2, d_b2)
