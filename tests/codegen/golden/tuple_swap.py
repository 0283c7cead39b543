def d_tuple_swap(x, y, *, d_out=1.0):
    times_x = x * 2.0
    plus_y = y + 1.0
    a = times_x
    b = plus_y
    b_old = b
    a_old = a
    a = b_old
    b = a_old
    d_a = d_out * b
    d_b = d_out * a
    d_b_old = d_a
    d_a = d_b
    d_b = d_b_old
    d_x = d_a * 2.0
    return d_x, d_b_old
