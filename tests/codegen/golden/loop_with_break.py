def d_loop_with_break(x, *, d_out=1.0):
    v_stack = []
    took_if_stack = []
    v = None
    total = 0.0
    v_index_range = range(len(x))
    n_iter = 0
    for v_index in v_index_range:
        n_iter += 1
        v_stack.append(v)
        v = x[v_index]
        took_if = v < -0.3
        took_if_stack.append(took_if)
        if took_if:
            break
        else:
            total = total + v * v
    d_x = np.zeros_like(x)
    for v_index in reversed(v_index_range[:n_iter]):
        took_if = took_if_stack.pop()
        if took_if:
            d_v = 0.0
        else:
            d_v = d_out * (v + v)
        v = v_stack.pop()
        d_x = d_x + index_grad(d_v, x, v_index)
    return (d_x,)
