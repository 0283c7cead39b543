def d_list_append_then_stack(x, *, d_out=1.0):
    times_x_stack = []
    times_x = None
    rows = []
    for k in range(3):
        times_x_stack.append(times_x)
        times_x = x * (k + 1)
        rows.append(np.sin(times_x))
    d_rows = list(np.moveaxis(d_out * 2 * np.stack(rows), 0, 0))
    d_x = np.zeros_like(x)
    for k in reversed(range(3)):
        rows.pop()
        d_sin_times_x = d_rows[-1]
        d_rows = d_rows[:-1]
        d_times_x = d_sin_times_x * np.cos(times_x)
        times_x = times_x_stack.pop()
        d_x = d_x + d_times_x * (k + 1)
    return (d_x,)
