def d_comprehension_sum(x, *, d_out=1.0):
    x_item_stack = []
    took_if_stack = []
    x_item = None
    items = []
    for i_1 in range(6):
        took_if = i_1 % 2 == 0
        took_if_stack.append(took_if)
        if took_if:
            x_item_stack.append(x_item)
            x_item = x[i_1]
            items.append(x_item ** 2)
    d_items = [unbroadcast_like(d_out, item, np) for item in items]
    d_x = np.zeros_like(x)
    for i_1 in reversed(range(6)):
        took_if = took_if_stack.pop()
        if took_if:
            items.pop()
            d_pow_x_item = d_items[-1]
            d_items = d_items[:-1]
            d_x_item = d_pow_x_item * 2 * x_item
            x_item = x_item_stack.pop()
            d_x = d_x + scatter_into_zeros(d_x_item, x, i_1, np)
    return (d_x,)
