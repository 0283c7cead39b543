def d_rnn(W, U, xs, h0, *, d_out=1.0):
    h_stack = []
    h = h0
    for t in range(10):
        h_stack.append(h)
        h = np.tanh(W @ h + U @ xs[t])
    d_h = d_out * 2 * h
    d_W_at_h_plus_at_U_rows = []
    d_U_right_rows = []
    d_W_right_rows = []
    for t in reversed(range(10)):
        h_next = h
        h = h_stack.pop()
        d_W_at_h_plus_at_U = d_h * (1.0 - h_next * h_next)
        d_W_at_h_plus_at_U_rows.append(d_W_at_h_plus_at_U)
        d_U_right_rows.append(xs[t])
        d_W_right_rows.append(h)
        d_h = W.T @ d_W_at_h_plus_at_U
    d_W_at_h_plus_at_U_cols = np.array(d_W_at_h_plus_at_U_rows).T
    d_U = d_W_at_h_plus_at_U_cols @ np.array(d_U_right_rows)
    d_W = d_W_at_h_plus_at_U_cols @ np.array(d_W_right_rows)
    return (d_W, d_U)
