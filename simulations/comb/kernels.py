"""Compiled (numba) arithmetic of the LLE integrators: a mixed-radix FFT, the split steps and
the adaptive RK4IP steps of :mod:`qkdchip.simulations.comb.integrate`, and the fixed-step RK4IP
of the self-injection-locked comb (:mod:`qkdchip.simulations.comb.sil_comb`).

The kernels are compiled without fast-math: no reassociation and no fused multiply-adds, so a
kernel compiled for any CPU gives the same bits as one compiled for ``NUMBA_CPU_NAME=generic``
(tests/simulations/comb/test_kernels.py checks it). Compiled code is cached next to this file,
in numba's per-user cache directory when this folder is read-only, or in NUMBA_CACHE_DIR.

Fields are mode amplitudes psi_mu in FFT order, (B, N) with one row per batch member (one row
(N,) for the self-injection-locked comb). The transforms follow the package's normalisation:
the forward one divides by N (psi(phi) -> psi_mu), the inverse one does not.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["FftPlan", "fft_plan", "on_step_grid", "rk4ip_advance", "sil_advance", "split_interval"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

FftPlan = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(radices, forward twiddles exp(-2 pi i k / N), inverse twiddles), k < N."""


def fft_plan(n: int) -> FftPlan:
    """Radix schedule (fours first, then a two, then the odd factors) and twiddles of an
    N-point transform (N >= 1)."""
    if int(n) != n or n < 1:
        raise ValueError(f"n={n!r} must be an integer >= 1")
    radices = []
    rest = int(n)
    while rest % 4 == 0:
        radices.append(4)
        rest //= 4
    if rest % 2 == 0:
        radices.append(2)
        rest //= 2
    p = 3
    while rest > 1:
        while rest % p == 0:
            radices.append(p)
            rest //= p
        p += 2
    k = np.arange(n)
    forward = np.exp(-2j * np.pi * k / n)
    return np.array(radices, dtype=np.int64), forward, forward.conj()


@_jit
def _transform(x, y, radices, tw, sign):
    """Unnormalised DFT of x (N,) in place: x_k <- sum_j x_j exp(sign 2 pi i j k / N), with
    tw the twiddles exp(sign 2 pi i k / N) of :func:`fft_plan` and y (N,) scratch (Stockham
    autosort, decimation in frequency, radices from the plan)."""
    n = x.size
    src, dst = x, y
    s = 1
    cur = n
    for r in radices:
        m = cur // r
        if r == 4:
            for p in range(m):
                w1 = tw[p * s]
                w2 = tw[2 * p * s]
                w3 = tw[3 * p * s]
                for q in range(s):
                    a0 = src[q + s * p]
                    a1 = src[q + s * (p + m)]
                    a2 = src[q + s * (p + 2 * m)]
                    a3 = src[q + s * (p + 3 * m)]
                    t0 = a0 + a2
                    t1 = a0 - a2
                    t2 = a1 + a3
                    d = a1 - a3
                    t3 = complex(-sign * d.imag, sign * d.real)
                    dst[q + s * 4 * p] = t0 + t2
                    dst[q + s * (4 * p + 1)] = (t1 + t3) * w1
                    dst[q + s * (4 * p + 2)] = (t0 - t2) * w2
                    dst[q + s * (4 * p + 3)] = (t1 - t3) * w3
        elif r == 2:
            for p in range(m):
                w = tw[p * s]
                for q in range(s):
                    a0 = src[q + s * p]
                    a1 = src[q + s * (p + m)]
                    dst[q + s * 2 * p] = a0 + a1
                    dst[q + s * (2 * p + 1)] = (a0 - a1) * w
        else:
            base = n // r
            for p in range(m):
                for q in range(s):
                    for k in range(r):
                        acc = src[q + s * p]
                        for j in range(1, r):
                            acc += src[q + s * (p + j * m)] * tw[((j * k) % r) * base]
                        dst[q + s * (r * p + k)] = acc * tw[p * k * s]
        src, dst = dst, src
        s *= r
        cur = m
    if radices.size % 2 == 1:
        x[:] = y


@_jit
def _cis(x):
    """exp(i x) for real x."""
    return complex(math.cos(x), math.sin(x))


@_jit
def _cexp(z):
    """exp(z) for finite complex z."""
    return math.exp(z.real) * _cis(z.imag)


@_jit
def _knot_before(times, tau):
    """Index of the last knot at or before tau (times[0] <= tau < times[-1])."""
    lo, hi = 0, times.size - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if times[mid] <= tau:
            lo = mid
        else:
            hi = mid
    return lo


@_jit
def _schedule_at(times, values, tau, b):
    """Value of member b of a piecewise-linear schedule (held constant outside) at tau."""
    k = times.size
    if tau <= times[0] or k == 1:
        return values[0, b]
    if tau >= times[k - 1]:
        return values[k - 1, b]
    i = _knot_before(times, tau)
    w = (tau - times[i]) / (times[i + 1] - times[i])
    return values[i, b] + w * (values[i + 1, b] - values[i, b])


@_jit
def _schedule_integral(times, values, cumulative, tau, b):
    """Exact integral of member b of a piecewise-linear schedule from its first knot to tau."""
    k = times.size
    if tau <= times[0] or k == 1:
        return values[0, b] * (tau - times[0])
    if tau >= times[k - 1]:
        return cumulative[k - 1, b] + values[k - 1, b] * (tau - times[k - 1])
    i = _knot_before(times, tau)
    x = tau - times[i]
    slope = (values[i + 1, b] - values[i, b]) / (times[i + 1] - times[i])
    return cumulative[i, b] + values[i, b] * x + 0.5 * slope * x * x


@_jit
def _kerr(row, field, scratch, radices, tw_f, tw_i):
    """field = FFT(|psi|^2 psi) (divided by N) of the mode amplitudes row (N,); returns the
    mean power <|psi|^2>. One transform call site, so that it is compiled once."""
    n = row.size
    for i in range(n):
        field[i] = row[i]
    total = 0.0
    for direction in range(2):
        tw = tw_i if direction == 0 else tw_f
        _transform(field, scratch, radices, tw, 1.0 if direction == 0 else -1.0)
        if direction == 0:
            for i in range(n):
                z = field[i]
                p = z.real * z.real + z.imag * z.imag
                total += p
                field[i] = z * p
    scale = 1.0 / n
    for i in range(n):
        field[i] = field[i] * scale
    return total / n


@_jit
def on_step_grid(h):
    """Largest step of the geometric grid 2^(k/4) not above h."""
    return 2.0 ** (math.floor(4 * math.log2(h)) / 4)


@_jit
def _step_drive(det_t, det_v, det_c, pump_t, pump_v, theta, times, drive):
    """Per member, the detuning phase over each half step (rot1, rot2: exp(-i int (zeta -
    theta))) and the pump at the step's start, middle and end (f_now, f_mid, f_end), into
    drive = (rot1, rot2, f_now, f_mid, f_end); times = (tau, mid, end)."""
    tau, mid, end = times
    rot1, rot2, f_now, f_mid, f_end = drive
    for b in range(theta.size):
        z0 = _schedule_integral(det_t, det_v, det_c, tau, b)
        z1 = _schedule_integral(det_t, det_v, det_c, mid, b)
        z2 = _schedule_integral(det_t, det_v, det_c, end, b)
        rot1[b] = _cis(-((z1 - z0) - theta[b] * (mid - tau)))
        rot2[b] = _cis(-((z2 - z1) - theta[b] * (end - mid)))
        f_now[b] = _schedule_at(pump_t, pump_v, tau, b)
        f_mid[b] = _schedule_at(pump_t, pump_v, mid, b)
        f_end[b] = _schedule_at(pump_t, pump_v, end, b)


@_jit
def _nonlinear(tmp, out, field, scratch, fft_plan, f_s, aux_idx, aux_amp, aux_sig, t_s):
    """out = FFT(|psi|^2 psi) - i f e_0 - i sum aux e^{-i sigma t} e_j of each member's field
    tmp (the nonlinear term divided by i); fft_plan = (radices, forward, inverse twiddles)."""
    radices, tw_f, tw_i = fft_plan
    for b in range(tmp.shape[0]):
        _kerr(tmp[b], field, scratch, radices, tw_f, tw_i)
        for i in range(tmp.shape[1]):
            out[b, i] = field[i]
        out[b, 0] -= 1j * f_s[b]
        for j in range(aux_idx.size):
            out[b, aux_idx[j]] -= 1j * aux_amp[j] * _cis(-aux_sig[j] * t_s)


@_jit
def _relax_shift(theta, thermal, step, norm_new):
    """Relax each member's thermal shift towards coefficient * <|psi|^2> over ``step``
    (thermal = [coefficient, response_time]; response_time 0: no thermal shift)."""
    if thermal[1] > 0:
        relax = -math.expm1(-step / thermal[1])
        for b in range(theta.size):
            theta[b] += relax * (thermal[0] * norm_new[b] ** 2 - theta[b])


@_jit
def _stage_input(stage, a, k_fsal, a_i, ks, tmp, e_half, rot1, rot2, ih):
    """The field (tmp) at which stage ``stage + 1`` of the ERK4(3)-IP step evaluates the
    nonlinear term; stage 0 also moves a and the FSAL stage into the interaction picture
    (a_i, ks[0]); stage 3 forms the fourth-order solution."""
    b_count, n = a.shape
    for b in range(b_count):
        for i in range(n):
            if stage == 0:
                e1 = e_half[i] * rot1[b]
                a_i[b, i] = e1 * a[b, i]
                ks[0, b, i] = e1 * k_fsal[b, i]
                tmp[b, i] = ks[0, b, i] * (0.5 * ih) + a_i[b, i]
            elif stage == 1:
                tmp[b, i] = ks[1, b, i] * (0.5 * ih) + a_i[b, i]
            elif stage == 2:
                tmp[b, i] = (ks[2, b, i] * ih + a_i[b, i]) * (e_half[i] * rot2[b])
            else:
                s = ((ks[1, b, i] + ks[2, b, i]) * 2.0 + ks[0, b, i]) * (ih / 6.0)
                s = s + a_i[b, i]
                tmp[b, i] = ks[3, b, i] * (ih / 6.0) + s * (e_half[i] * rot2[b])


@_jit
def _error_ratio(ks, tmp, step, atol, rtol, norm_err, norm_new):
    """Largest error-to-tolerance ratio over the members (NaN wins): the embedded error
    |k4 - k5| step / 10 against atol + rtol |a_new|; fills each member's norms."""
    b_count, n = tmp.shape
    err = 0.0
    for b in range(b_count):
        e_acc = 0.0
        n_acc = 0.0
        for i in range(n):
            d = ks[3, b, i] - ks[4, b, i]
            e_acc += d.real * d.real + d.imag * d.imag
            z = tmp[b, i]
            n_acc += z.real * z.real + z.imag * z.imag
        norm_err[b] = math.sqrt(e_acc)
        norm_new[b] = math.sqrt(n_acc)
        ratio = norm_err[b] * (step / 10.0) / (atol + rtol * norm_new[b])
        if ratio != ratio or ratio > err:
            err = ratio
    return err


@_jit
def rk4ip_advance(
    a,
    k_fsal,
    state,
    counts,
    lin,
    det_t,
    det_v,
    det_c,
    pump_t,
    pump_v,
    aux_idx,
    aux_amp,
    aux_sig,
    theta,
    thermal,
    radices,
    tw_f,
    tw_i,
):
    """Adaptive RK4IP steps of the members a (B, N) from state[0] = tau until tau reaches
    state[1] (the sample time) or passes state[2] (the next noise kick).

    The step is the embedded ERK4(3)-IP pair of Balac & Mahe with FSAL: k_fsal (B, N) holds
    the first stage M(a) = FFT(|psi|^2 psi) - i f e_0 - i sum aux e^{-i sigma tau} e_j (the
    nonlinear term divided by i) and is renewed from a first when state[8] is non-zero. The
    propagator exp(L h - i int (zeta - theta)) (lin: L_mu (N,)) is exact for piecewise-linear
    detuning (knots det_t (K,), values det_v and their running integral det_c (K, B)); the pump
    has knots pump_t and values pump_v. state holds [tau, t_end, kick_at, h, h_max, rtol,
    atol, duration, renew] and is updated (tau, h, renew); counts [steps, rejected] too.
    thermal holds [coefficient, response_time] (response_time 0: no thermal shift) and theta
    (B,) the shift per member, relaxed towards coefficient * <|psi|^2> after every step.

    Returns:
        0 on reaching the sample time or the kick, 1 on a non-finite field, 2 when the step
        falls below 1e-12 of the duration.
    """
    b_count, n = a.shape
    dtype = a.dtype
    tau, t_end, kick_at, h = state[0], state[1], state[2], state[3]
    h_max, rtol, atol, duration = state[4], state[5], state[6], state[7]
    renew = state[8] != 0.0
    tol = 1e-14 * max(1.0, duration)
    e_half = np.empty(n, np.complex128)
    e_step = -1.0
    a_i = np.empty((b_count, n), dtype)
    tmp = np.empty((b_count, n), dtype)
    # stages k1 ... k5 (k5 of an accepted step is the next step's k1)
    ks = np.empty((5, b_count, n), dtype)
    field = np.empty(n, dtype)
    scratch = np.empty(n, dtype)
    rot1 = np.empty(b_count, np.complex128)
    rot2 = np.empty(b_count, np.complex128)
    f_now = np.empty(b_count)
    f_mid = np.empty(b_count)
    f_end = np.empty(b_count)
    norm_err = np.empty(b_count)
    norm_new = np.empty(b_count)
    status = 0
    t_s = tau
    f_s = f_now
    out = k_fsal
    while tau < t_end - tol:
        step = min(h, t_end - tau)
        mid, end = tau + 0.5 * step, tau + step
        if step != e_step:
            for i in range(n):
                e_half[i] = _cexp(lin[i] * (0.5 * step))
            e_step = step
        drive = (rot1, rot2, f_now, f_mid, f_end)
        _step_drive(det_t, det_v, det_c, pump_t, pump_v, theta, (tau, mid, end), drive)
        ih = 1j * step
        for stage in range(-1, 4):
            if stage == -1:
                if not renew:
                    continue
                tmp[:] = a
                t_s = tau
                f_s = f_now
                out = k_fsal
            else:
                _stage_input(stage, a, k_fsal, a_i, ks, tmp, e_half, rot1, rot2, ih)
                out = ks[stage + 1]
                if stage == 0:
                    t_s = mid
                    f_s = f_mid
                elif stage == 2:
                    t_s = end
                    f_s = f_end
            _nonlinear(
                tmp, out, field, scratch, (radices, tw_f, tw_i), f_s, aux_idx, aux_amp, aux_sig, t_s
            )
            if stage == -1:
                renew = False
        err = _error_ratio(ks, tmp, step, atol, rtol, norm_err, norm_new)
        if not math.isfinite(err):
            status = 1
            break
        if err <= 1.0:
            tau += step
            a[:] = tmp
            k_fsal[:] = ks[4]
            counts[0] += 1
            _relax_shift(theta, thermal, step, norm_new)
            factor = 0.9 * err**-0.25 if err > 0 else 5.0
            if step == h or factor < 1.0:
                h = on_step_grid(min(h_max, step * min(5.0, max(0.2, factor))))
            if tau >= kick_at:
                break
        else:
            counts[1] += 1
            h = on_step_grid(step * min(1.0, max(0.2, 0.9 * err**-0.25)))
            if h < 1e-12 * duration:
                status = 2
                break
    state[0] = tau
    state[3] = h
    state[8] = 1.0 if renew else 0.0
    return status


@_jit
def sil_advance(
    spec,
    back,
    xi,
    dtau,
    lin,
    f,
    feedback,
    phase,
    backscatter,
    every,
    zetas,
    energies,
    pumps,
    steps,
    radices,
    tw_f,
    tw_i,
):
    """Fixed-step RK4IP of the self-injection-locked comb over the free-running detunings xi
    (one per step dtau), in the interaction picture of the linear operator lin (N,).

    The forward spectrum spec (N,) is advanced in place, together with the backward mode's
    amplitude ``back`` and the laser detuning zeta0 = xi + feedback Im(e^{i phase} back) / f.
    Every ``every`` steps and at the last, the locked detuning, the forward energy, the pump
    mode and the step index go into zetas, energies, pumps and steps.

    Returns:
        (backward amplitude, number of records).
    """
    n = spec.size
    dtype = spec.dtype
    half = np.empty(n, dtype)
    for i in range(n):
        half[i] = _cexp(lin[i] * (dtau / 2))
    inter = np.empty(n, dtype)
    ks = np.empty((4, n), dtype)
    kb = np.empty(4, np.complex128)
    tmp = np.empty(n, dtype)
    field = np.empty(n, dtype)
    scratch = np.empty(n, dtype)
    last = xi.size - 1
    count = 0
    ep = _cis(phase)
    for step in range(xi.size):
        x = xi[step]
        for i in range(n):
            inter[i] = half[i] * spec[i]
        for stage in range(4):
            if stage == 0:
                tmp[:] = spec
                b_in = back
            elif stage == 3:
                for i in range(n):
                    tmp[i] = half[i] * (inter[i] + dtau * ks[2, i])
                b_in = back + dtau * kb[2]
            else:
                for i in range(n):
                    tmp[i] = inter[i] + dtau / 2 * ks[stage - 1, i]
                b_in = back + dtau / 2 * kb[stage - 1]
            # rates of everything but loss and dispersion
            zeta = x + feedback * (ep * b_in).imag / f
            mean_power = _kerr(tmp, field, scratch, radices, tw_f, tw_i)
            for i in range(n):
                ks[stage, i] = 1j * field[i] - 1j * zeta * tmp[i]
            ks[stage, 0] += f + 1j * backscatter * b_in
            kb[stage] = (
                -(1.0 + 1j * zeta) * b_in + 1j * backscatter * tmp[0] + 2j * mean_power * b_in
            )
            if stage == 0:
                for i in range(n):
                    ks[0, i] = half[i] * ks[0, i]
        for i in range(n):
            spec[i] = half[i] * (inter[i] + dtau / 6 * (ks[0, i] + 2 * ks[1, i] + 2 * ks[2, i]))
            spec[i] += dtau / 6 * ks[3, i]
        back = back + dtau / 6 * (kb[0] + 2 * kb[1] + 2 * kb[2] + kb[3])
        if step % every == 0 or step == last:
            zetas[count] = x + feedback * (ep * back).imag / f
            energy = 0.0
            for i in range(n):
                z = spec[i]
                energy += z.real * z.real + z.imag * z.imag
            energies[count] = energy
            pumps[count] = spec[0]
            steps[count] = step
            count += 1
    return back, count


@_jit
def split_interval(
    psi,
    dt,
    c,
    sub_index,
    e_sub,
    kerr_h,
    starts,
    t0,
    zeta,
    pump,
    lin,
    aux_idx,
    aux_amp,
    aux_sig,
    theta,
    thermal,
    kick_slot,
    kick_scale,
    kick_noise,
    radices,
    tw_f,
    tw_i,
):
    """One sample interval of Strang substeps of the fields psi (B, N), in place.

    Substep q lasts c[q] dt: the exact linear-plus-drive step with propagator e_sub[sub_index
    [q]] (N,) at the substep's midpoint detuning zeta[q] - theta and pump pump[q] (Q, B) (the
    second pumps aux_* integrated exactly from t0 + starts[q]), the thermal shift theta (B,)
    relaxed (thermal: [coefficient, response_time], response_time 0: none), a noise kick of
    scale kick_scale[k] (N,) and standard normals kick_noise[k] (B, 2N) where kick_slot[q] = k
    >= 0, then the exact Kerr step exp(i kerr_h[q] |psi|^2). The interval starts with the Kerr
    half step exp(i c[0] dt / 2 |psi|^2).

    Returns:
        The peak power max |psi|^2 at the start of the interval.
    """
    b_count, n = psi.shape
    row = np.empty(n, psi.dtype)
    scratch = np.empty(n, psi.dtype)
    scale = 1.0 / n
    peak = 0.0
    for b in range(b_count):
        for i in range(n):
            z = psi[b, i]
            p = z.real * z.real + z.imag * z.imag
            peak = max(peak, p)
            ph = 0.5 * c[0] * dt * p
            psi[b, i] = z * complex(math.cos(ph), math.sin(ph))
    for q in range(c.size):
        e = e_sub[sub_index[q]]
        h = c[q] * dt
        tq = t0 + starts[q]
        for b in range(b_count):
            for i in range(n):
                row[i] = psi[b, i]
            for direction in range(2):
                tw = tw_f if direction == 0 else tw_i
                _transform(row, scratch, radices, tw, -1.0 if direction == 0 else 1.0)
                if direction == 0:
                    zq = zeta[q, b] - theta[b]
                    rot = _cis(-h * zq)
                    energy = 0.0
                    for i in range(n):
                        row[i] = row[i] * scale * (e[i] * rot)
                    row[0] += pump[q, b] * (e[0] * rot - 1.0) / (lin[0] - 1j * zq)
                    for j in range(aux_idx.size):
                        m = aux_idx[j]
                        row[m] += (
                            aux_amp[j]
                            * _cis(-aux_sig[j] * tq)
                            * (e[m] * rot - _cis(-aux_sig[j] * h))
                            / (lin[m] - 1j * zq + 1j * aux_sig[j])
                        )
                    if thermal[1] > 0:
                        for i in range(n):
                            z = row[i]
                            energy += z.real * z.real + z.imag * z.imag
                        relax = -math.expm1(-h / thermal[1])
                        theta[b] += relax * (thermal[0] * energy - theta[b])
                    k = kick_slot[q]
                    if k >= 0:
                        for i in range(n):
                            s = kick_scale[k, i]
                            row[i] += complex(
                                s * kick_noise[k, b, 2 * i], s * kick_noise[k, b, 2 * i + 1]
                            )
            hk = kerr_h[q]
            for i in range(n):
                z = row[i]
                ph = hk * (z.real * z.real + z.imag * z.imag)
                psi[b, i] = z * complex(math.cos(ph), math.sin(ph))
    return peak
