def d_branch_on_data(x, *, d_out=1.0):
    took_if = np.sum(x) > 0
    if took_if:
        y = np.sin(x)
    else:
        y = np.cos(x)
    y_times_x = y * x
    d_y_times_x = np.broadcast_to(d_out, np.shape(y_times_x))
    d_y = d_y_times_x * x
    d_x = d_y_times_x * y
    if took_if:
        d_x = d_x + d_y * np.cos(x)
    else:
        d_x = d_x + -d_y * np.sin(x)
    return d_x,
