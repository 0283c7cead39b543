"""Shared pieces of rule bodies, written against an array namespace ``xp``.

Every function here works for numpy arrays (``xp=numpy``) and for any
namespace that offers the same few functions (the eager Tensor namespace).
Rule bodies may call these by name: a consumer that inlines a rule makes the
names of this module available to the inlined code.

The few helpers that write into a fresh buffer (``scatter_into_zeros``,
``take_grad``, ``diagonal_grad``, ``sort_grad``) use numpy item assignment or
``xp.add.at``; they are marked below.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

# ---------------------------------------------------------------- broadcasting


def unbroadcast(g: Any, shape: tuple[int, ...], xp: Any) -> Any:
    """Sum ``g`` down to ``shape``: the adjoint of broadcasting to g's shape."""
    g_shape = xp.shape(g)
    if tuple(g_shape) == tuple(shape):
        return g
    lead = len(g_shape) - len(shape)
    if lead < 0:  # a number standing for the same gradient everywhere (the compiler's 0.0)
        return xp.broadcast_to(g, shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1
    )
    if axes:
        g = xp.sum(g, axis=axes)
    return xp.reshape(g, shape) if tuple(xp.shape(g)) != tuple(shape) else g


def unbroadcast_like(g: Any, x: Any, xp: Any) -> Any:
    """Sum ``g`` down to the shape of ``x`` (a number for a Python number)."""
    if isinstance(x, (int, float, complex)):
        return xp.sum(g) if xp.shape(g) else g
    return unbroadcast(g, xp.shape(x), xp)


# ------------------------------------------------------------------ reductions


def unreduce(g: Any, x: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """Spread the adjoint of a reduction of ``x`` back over ``x``'s shape."""
    return xp.broadcast_to(keep_reduced_dims(g, axis, keepdims, xp), xp.shape(x))


def keep_reduced_dims(r: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """A reduction's result with the reduced axes restored as size 1 (as keepdims=True gives)."""
    if axis is not None and not keepdims:
        return xp.expand_dims(r, axis)
    return r


def reduced_count(x: Any, axis: Any, xp: Any) -> int:
    """How many elements of ``x`` each output of a reduction over ``axis`` sums."""
    shape = xp.shape(x)
    axes = range(len(shape)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    count = 1
    for a in axes:
        count *= shape[a]
    return count


def extreme_grad(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """Adjoint of max/min over ``axis``: ``g`` shared evenly between the elements that tie."""
    hit = x == unreduce(ans, x, axis, keepdims, xp)
    return unreduce(g, x, axis, keepdims, xp) * hit / xp.sum(hit, axis=axis, keepdims=True)


def prod_grad(g: Any, x: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """Adjoint of ``prod(x, axis)``: g times the product of the other elements of each group.

    The products of the others come from cumulative products from both ends,
    without dividing by ``x``, so they are exact where elements are 0.
    """
    shape = tuple(xp.shape(x))
    nd = len(shape)
    axes = range(nd) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    reduced = [a % nd for a in axes]
    kept = [a for a in range(nd) if a not in reduced]
    order = kept + reduced
    moved = xp.transpose(x, order)
    groups = xp.reshape(moved, tuple(shape[a] for a in kept) + (-1,))
    ones = xp.ones_like(groups[..., :1])
    before = xp.cumprod(xp.concatenate([ones, groups[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(
        xp.cumprod(xp.concatenate([ones, xp.flip(groups, -1)[..., :-1]], axis=-1), axis=-1), -1
    )
    others = xp.transpose(xp.reshape(before * after, xp.shape(moved)), inverse_axes(order, nd))
    return unreduce(g, x, axis, keepdims, xp) * others


def cumsum_grad(g: Any, x: Any, axis: Any, xp: Any) -> Any:
    """Adjoint of ``cumsum(x, axis)``: a cumulative sum taken from the end."""
    if axis is None:
        return xp.reshape(xp.flip(xp.cumsum(xp.flip(g))), xp.shape(x))
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis), axis)


# -------------------------------------------------------------- linear algebra


def _spread_number(g: Any, x: Any, y: Any, xp: Any) -> Any:
    """A number standing for the same gradient everywhere (the compiler's 0.0 on a
    path where the product's result was never used), spread to the result's shape."""
    if len(xp.shape(g)) == 0 and (len(xp.shape(x)) > 1 or len(xp.shape(y)) > 1):
        return xp.broadcast_to(g, xp.shape(xp.matmul(x, y)))
    return g


def matmul_grad_left(g: Any, x: Any, y: Any, xp: Any) -> Any:
    """Adjoint of ``x`` in ``x @ y`` for any ranks (1-d operands promoted as numpy does)."""
    g = _spread_number(g, x, y, xp)
    x_nd, y_nd = len(xp.shape(x)), len(xp.shape(y))
    if x_nd == 1 and y_nd == 1:
        return g * y
    if y_nd == 1:
        return unbroadcast(xp.expand_dims(g, -1) * y, xp.shape(x), xp)
    if x_nd == 1:
        gx = xp.matmul(xp.expand_dims(g, -2), xp.swapaxes(y, -1, -2))
        return unbroadcast(xp.reshape(gx, xp.shape(gx)[:-2] + xp.shape(gx)[-1:]), xp.shape(x), xp)
    return unbroadcast(xp.matmul(g, xp.swapaxes(y, -1, -2)), xp.shape(x), xp)


def matmul_grad_right(g: Any, x: Any, y: Any, xp: Any) -> Any:
    """Adjoint of ``y`` in ``x @ y`` for any ranks."""
    g = _spread_number(g, x, y, xp)
    x_nd, y_nd = len(xp.shape(x)), len(xp.shape(y))
    if x_nd == 1 and y_nd == 1:
        return g * x
    if x_nd == 1:
        return unbroadcast(xp.expand_dims(x, -1) * xp.expand_dims(g, -2), xp.shape(y), xp)
    if y_nd == 1:
        gy = xp.matmul(xp.swapaxes(x, -1, -2), xp.expand_dims(g, -1))
        return unbroadcast(xp.reshape(gy, xp.shape(gy)[:-1]), xp.shape(y), xp)
    return unbroadcast(xp.matmul(xp.swapaxes(x, -1, -2), g), xp.shape(y), xp)


def _dot_is_matmul(a: Any, b: Any, xp: Any) -> bool:
    """np.dot agrees with np.matmul unless ``b`` has more than 2 dims and ``a`` at least 2."""
    return len(xp.shape(b)) <= 2 or len(xp.shape(a)) == 1


def dot_grad_left(g: Any, a: Any, b: Any, xp: Any) -> Any:
    """Adjoint of ``a`` in ``np.dot(a, b)``: a scalar operand scales, else matmul or tensordot."""
    if len(xp.shape(a)) == 0 or len(xp.shape(b)) == 0:
        return unbroadcast(g * b, xp.shape(a), xp)
    if _dot_is_matmul(a, b, xp):
        return matmul_grad_left(g, a, b, xp)
    # dot(a, b)[i.., j.., m] = sum_k a[i.., k] b[j.., k, m]: contract g with b over j.. and m.
    a_nd, b_nd = len(xp.shape(a)), len(xp.shape(b))
    g_axes = [*range(a_nd - 1, a_nd + b_nd - 3), a_nd + b_nd - 3]
    b_axes = [*range(b_nd - 2), b_nd - 1]
    return xp.tensordot(g, b, axes=(g_axes, b_axes))


def dot_grad_right(g: Any, a: Any, b: Any, xp: Any) -> Any:
    """Adjoint of ``b`` in ``np.dot(a, b)``."""
    if len(xp.shape(a)) == 0 or len(xp.shape(b)) == 0:
        return unbroadcast(g * a, xp.shape(b), xp)
    if _dot_is_matmul(a, b, xp):
        return matmul_grad_right(g, a, b, xp)
    lead = len(xp.shape(a)) - 1
    gb = xp.tensordot(a, g, axes=(list(range(lead)), list(range(lead))))  # (k, j.., m)
    return xp.moveaxis(gb, 0, -2)


def solve_adjoint(g: Any, a: Any, b: Any, xp: Any) -> Any:
    """``solve(a^T, g)``: the adjoint of ``b`` in ``solve(a, b)`` before unbroadcasting.

    numpy reads a 1-d ``b`` as one vector (even against a batch of matrices)
    and anything else as a batch of column blocks; g has the solution's shape.
    """
    a_t = xp.swapaxes(a, -1, -2)
    if len(xp.shape(b)) == 1:
        return xp.linalg.solve(a_t, xp.expand_dims(g, -1))[..., 0]
    return xp.linalg.solve(a_t, g)


def solve_grad_a(d_b: Any, ans: Any, a: Any, b: Any, xp: Any) -> Any:
    """Adjoint of ``a`` in ``ans = solve(a, b)`` from ``d_b = solve_adjoint(...)``: -d_b ans^T."""
    if len(xp.shape(b)) == 1:
        outer = xp.expand_dims(d_b, -1) * xp.expand_dims(ans, -2)
    else:
        outer = xp.matmul(d_b, xp.swapaxes(ans, -1, -2))
    return unbroadcast(-outer, xp.shape(a), xp)


def norm_grad(g: Any, ans: Any, x: Any, ord: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """Adjoint of ``np.linalg.norm(x, ord, axis, keepdims)``.

    Vector norms (any ``ord`` numpy accepts) and the matrix norms 'fro', 'nuc',
    2, -2, 1, -1, inf, -inf.  Like the norm itself it is not differentiable
    where the norm is 0 (the result holds nan there).
    """
    nd = len(xp.shape(x))
    if axis is None:
        if ord is None or ord == "fro":
            return _vector_norm_grad(g, ans, x, 2, None, keepdims, xp)
        axis = (0,) if nd == 1 else (0, 1)
    if isinstance(axis, int):
        axis = (axis,)
    axis = tuple(a % nd for a in axis)
    if len(axis) == 1:
        return _vector_norm_grad(g, ans, x, 2 if ord is None else ord, axis[0], keepdims, xp)
    if ord is None or ord == "fro":
        return _vector_norm_grad(g, ans, x, 2, axis, keepdims, xp)
    return _matrix_norm_grad(g, ans, x, ord, axis, keepdims, xp)


def _vector_norm_grad(g: Any, ans: Any, x: Any, p: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """Adjoint of the p-norm of ``x`` over ``axis`` (None: all elements)."""
    if p == 0:
        return xp.zeros_like(x) * unreduce(g, x, axis, keepdims, xp)
    if p in (float("inf"), float("-inf")):
        return extreme_grad(g, ans, xp.abs(x), axis, keepdims, xp) * xp.sign(x)
    if p == 2:
        return unreduce(g / ans, x, axis, keepdims, xp) * x
    scale = unreduce(g / ans ** (p - 1), x, axis, keepdims, xp)
    return scale * xp.sign(x) * xp.abs(x) ** (p - 1)


def _matrix_norm_grad(
    g: Any, ans: Any, x: Any, ord: Any, axis: Any, keepdims: bool, xp: Any
) -> Any:
    """Adjoint of a matrix norm over the two axes ``axis``."""
    row, col = axis
    if ord in ("nuc", 2, -2):
        m = xp.moveaxis(x, (row, col), (-2, -1))
        u, s, vt = xp.linalg.svd(m, full_matrices=False)
        if ord == 2:
            u, vt = u[..., :, :1], vt[..., :1, :]
        elif ord == -2:
            u, vt = u[..., :, -1:], vt[..., -1:, :]
        d_m = xp.matmul(u, vt)
        return xp.moveaxis(d_m, (-2, -1), (row, col)) * unreduce(g, x, axis, keepdims, xp)
    if ord in (1, -1, float("inf"), float("-inf")):
        # max/min over columns (ord 1) or rows (inf) of the absolute sums along the other axis.
        summed = row if ord in (1, -1) else col
        sums = xp.sum(xp.abs(x), axis=summed, keepdims=True)
        pick = extreme_grad(1.0, keep_reduced_dims(ans, axis, keepdims, xp), sums, axis, True, xp)
        return unreduce(g, x, axis, keepdims, xp) * pick * xp.sign(x)
    raise ValueError(f"no gradient for the matrix norm ord={ord!r}")


def einsum_grad(g: Any, subscripts: str, operands: Any, index: int, xp: Any) -> Any:
    """Adjoint of operand ``index`` of ``np.einsum(subscripts, *operands)``.

    The adjoint is itself an einsum of ``g`` with the other operands: letters
    the operand repeats (a diagonal, ``'ii->'``) are written back through an
    identity matrix, letters only it has (summed away) through a vector of ones.
    """
    shapes = [xp.shape(op) for op in operands]
    terms, out, sizes, free = _einsum_parse(subscripts, shapes)
    target, extra_terms, extra_ops = "", [], []
    for pos, letter in enumerate(terms[index]):
        if letter in target:
            fresh = free.pop()
            extra_terms.append(letter + fresh)
            extra_ops.append(xp.eye(shapes[index][pos]))
            letter = fresh
        target += letter
    others = [t for i, t in enumerate(terms) if i != index]
    known = set(out + "".join(others) + "".join(extra_terms))
    for letter in dict.fromkeys(terms[index]):
        if letter not in known:
            extra_terms.append(letter)
            extra_ops.append(xp.ones(sizes[letter]))
    spec = ",".join([out, *others, *extra_terms]) + "->" + target
    other_ops = [op for i, op in enumerate(operands) if i != index]
    grad = xp.einsum(spec, g, *other_ops, *extra_ops)
    return unbroadcast(grad, shapes[index], xp)


def _einsum_parse(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple:
    """Explicit letters per operand and for the output, '...' spelled out in unused letters.

    Returns (terms, output, size of each letter, unused letters).
    """
    spec = subscripts.replace(" ", "")
    inputs, arrow, out = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum {subscripts!r} names {len(terms)} operands, got {len(shapes)}")
    free = [c for c in string.ascii_letters if c not in spec]
    n_ell = max(
        [len(s) - len(t) + 3 for t, s in zip(terms, shapes, strict=True) if "..." in t], default=0
    )
    ellipsis = "".join(free[:n_ell])
    free = free[n_ell:]
    if not arrow:  # implicit output: '...' first, then letters used once, sorted
        counts = Counter("".join(terms).replace(".", ""))
        out = "..." * (n_ell > 0) + "".join(sorted(c for c, n in counts.items() if n == 1))
    terms = [
        t.replace("...", ellipsis[n_ell - (len(s) - len(t) + 3) :])
        for t, s in zip(terms, shapes, strict=True)
    ]
    sizes: dict[str, int] = {}
    for term, shape in zip(terms, shapes, strict=True):
        for letter, n in zip(term, shape, strict=True):
            sizes[letter] = max(sizes.get(letter, 1), n)
    return terms, out.replace("...", ellipsis), sizes, free


# ------------------------------------------------------------- shape and index


def inverse_axes(axes: Any, ndim: int) -> Any:
    """The axes that undo ``transpose(x, axes)`` (None undoes None: a full reversal)."""
    if axes is None:
        return None
    order = [a % ndim for a in axes]
    return tuple(sorted(range(ndim), key=order.__getitem__))


def concatenate_grad(g: Any, arrays: Any, axis: Any, xp: Any) -> list[Any]:
    """Adjoints of the arrays of ``concatenate(arrays, axis)``: g cut back into pieces."""
    shapes = [xp.shape(a) for a in arrays]
    if axis is None:
        g = xp.ravel(g)
        axis = 0
        sizes = [_size(s) for s in shapes]
    else:
        sizes = [s[axis] for s in shapes]
    cuts = [sum(sizes[: i + 1]) for i in range(len(sizes) - 1)]
    return [xp.reshape(p, s) for p, s in zip(xp.split(g, cuts, axis), shapes, strict=True)]


def tile_grad(g: Any, x: Any, reps: Any, xp: Any) -> Any:
    """Adjoint of ``tile(x, reps)``: the sum of the copies."""
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    shape = tuple(xp.shape(x))
    nd = max(len(shape), len(reps))
    shape_nd = (1,) * (nd - len(shape)) + shape
    reps_nd = (1,) * (nd - len(reps)) + reps
    split = [
        n for pair in zip(reps_nd, shape_nd, strict=True) for n in pair
    ]  # (r0, n0, r1, n1, ...)
    summed = xp.sum(xp.reshape(g, split), axis=tuple(range(0, 2 * nd, 2)))
    return xp.reshape(summed, shape)


def take_grad(g: Any, x: Any, indices: Any, axis: Any, xp: Any) -> Any:
    """Adjoint of ``take(x, indices, axis)``: g added at the taken places (numpy only)."""
    out = xp.zeros_like(x)
    if axis is None:
        xp.add.at(xp.reshape(out, (-1,)), indices, g)
        return out
    axis = axis % len(xp.shape(x))
    xp.add.at(out, (slice(None),) * axis + (indices,), g)
    return out


def repeat_grad(g: Any, x: Any, repeats: Any, axis: Any, xp: Any) -> Any:
    """Adjoint of ``repeat(x, repeats, axis)``, which takes each element repeats times."""
    n = _size(xp.shape(x)) if axis is None else xp.shape(x)[axis]
    return take_grad(g, x, xp.repeat(xp.arange(n), repeats), axis, xp)


def sort_grad(g: Any, x: Any, axis: Any, xp: Any) -> Any:
    """Adjoint of ``sort(x, axis)``: g put back where each sorted element came from."""
    if axis is None:
        order = xp.argsort(xp.ravel(x))
        return xp.reshape(g[xp.argsort(order)], xp.shape(x))
    order = xp.argsort(x, axis=axis)
    return xp.take_along_axis(g, xp.argsort(order, axis=axis), axis=axis)


def diagonal_grad(g: Any, x: Any, offset: int, axis1: int, axis2: int, xp: Any) -> Any:
    """Adjoint of ``diagonal(x, offset, axis1, axis2)``: g on that diagonal of zeros.

    numpy only (item assignment).
    """
    out = xp.zeros_like(x)
    view = xp.moveaxis(out, (axis1, axis2), (-2, -1))
    n = xp.shape(g)[-1]
    rows = xp.arange(n) + max(-offset, 0)
    cols = xp.arange(n) + max(offset, 0)
    view[..., rows, cols] = g
    return out


def trace_grad(g: Any, x: Any, offset: int, axis1: int, axis2: int, xp: Any) -> Any:
    """Adjoint of ``trace(x, offset, axis1, axis2)``: g on every element of that diagonal."""
    diag_shape = xp.shape(xp.diagonal(x, offset, axis1, axis2))
    spread = xp.broadcast_to(xp.expand_dims(g, -1), diag_shape)
    return diagonal_grad(spread, x, offset, axis1, axis2, xp)


def diag_grad(g: Any, v: Any, k: int, xp: Any) -> Any:
    """Adjoint of ``np.diag(v, k)``: builds a matrix from a 1-d ``v``, reads one from a 2-d."""
    if len(xp.shape(v)) == 1:
        return xp.diagonal(g, k)
    return diagonal_grad(g, v, k, 0, 1, xp)


def scatter_into_zeros(g: Any, x: Any, index: Any, xp: Any) -> Any:
    """Adjoint of ``x[index]``: ``g`` written into zeros shaped like ``x`` (numpy only).

    Basic and boolean indices reach each element at most once, so a plain
    assignment does; integer-array indices may repeat and are added with
    ``xp.add.at`` so that repeats accumulate.
    """
    out = xp.zeros_like(x)
    if _reaches_once(index):
        out[index] = g
    else:
        xp.add.at(out, index, g)
    return out


def _reaches_once(index: Any) -> bool:
    """True for indices made of ints, slices, None, Ellipsis and boolean arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if part is None or part is Ellipsis or isinstance(part, (int, slice)):
            continue
        dtype = getattr(part, "dtype", None)
        if dtype is not None and (dtype.kind == "b" or (part.ndim == 0 and dtype.kind in "iu")):
            continue
        return False
    return True


def _size(shape: Any) -> int:
    count = 1
    for n in shape:
        count *= n
    return count
