def d_tuple_swap(x, y, *, d_out=1.0):
    a = x * 2.0
    b = y + 1.0
    a_old = a
    a = b
    b = a_old
    d_a = d_out * b
    d_b = d_out * a
    d_x = d_b * 2.0
    return (d_x, d_a)
