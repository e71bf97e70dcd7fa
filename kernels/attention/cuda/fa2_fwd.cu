// FlashAttention-2 forward in CUDA C++: the same algorithm as kernels/attention/triton_fa2.py.
//
// Why a CUDA version beside the Triton one: it pins down the algorithm without a compiler
// between us and the hardware, and it shows the tiling explicitly (who holds what, where the
// barriers are). It is forward only; training uses the Triton kernel.
//
// This translation unit includes no torch header on purpose: CI (no GPU, CPU-only torch) can
// compile it with plain nvcc, and the torch binding (fa2_binding.cpp) stays a thin shim that
// calls vaani_fa2_fwd() below.
//
// Tiling: one thread block of 128 threads per (64-query tile, batch*head). Thread (ty, tx),
// ty = tid / 8 in [0, 16), tx = tid % 8, owns query rows 4*ty .. 4*ty+3. For the score tile
// S = Q K^T (64 x 64) it owns columns tx + 8*j (j < 8); for the output accumulator it owns
// head-dim columns tx + 8*j (j < D/8). A row is shared by the 8 lanes with the same ty, which
// sit in one warp, so the row max and row sum are three xor-shuffles. Q, K, V tiles and the
// probability tile P live in shared memory; rows are padded by one 32-bit word so that lanes
// reading different rows of the same column hit different banks.
//
// Online softmax in base 2: m = running max of scaled scores, l = running sum of
// exp2(s - m); when m grows the accumulator and l are scaled by exp2(m_old - m_new). At the
// end O = acc / l and lse = (m + log2 l) * ln 2 (natural log, one float per row).

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>

#include <cstdint>

namespace vaani_fa2 {

constexpr int kBlockM = 64;
constexpr int kBlockN = 64;
constexpr int kThreads = 128;
constexpr int kRowsPerThread = 4;   // kBlockM / (kThreads / 8)
constexpr int kColsPerThread = 8;   // kBlockN / 8

__device__ __forceinline__ float to_float(float x) { return x; }
__device__ __forceinline__ float to_float(__half x) { return __half2float(x); }
__device__ __forceinline__ float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T> __device__ __forceinline__ T from_float(float x);
template <> __device__ __forceinline__ float from_float<float>(float x) { return x; }
template <> __device__ __forceinline__ __half from_float<__half>(float x) {
    return __float2half_rn(x);
}
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float x) {
    return __float2bfloat16_rn(x);
}

// Row stride in elements of the Q/K/V tiles: D plus one 32-bit word of padding.
template <typename T, int D>
struct Layout {
    static constexpr int kPad = sizeof(T) == 4 ? 1 : 2;
    static constexpr int kLd = D + kPad;
    static constexpr int kLdP = kBlockN + 1;
    static constexpr size_t kTileBytes = sizeof(T) * kBlockM * kLd;
    static constexpr size_t kSmemBytes = 3 * kTileBytes + sizeof(float) * kBlockM * kLdP;
};

struct Params {
    const void* q;
    const void* k;
    const void* v;
    void* o;
    float* lse;
    int heads_q, heads_kv, len_q, len_k;
    int64_t sq_b, sq_h, sq_t, sk_b, sk_h, sk_t, sv_b, sv_h, sv_t, so_b, so_h, so_t;
    float qk_scale_log2;   // softmax scale * log2(e)
    int causal;
};

// Copy `rows` rows of a (len, D) slab starting at row `row0` into a padded shared tile;
// rows at or past `len` become zeros.
template <typename T, int D>
__device__ __forceinline__ void load_tile(T* tile, const T* base, int64_t stride_t, int row0,
                                          int len) {
    constexpr int kLd = Layout<T, D>::kLd;
    for (int idx = threadIdx.x; idx < kBlockM * D; idx += kThreads) {
        const int r = idx / D;
        const int d = idx - r * D;
        const int row = row0 + r;
        tile[r * kLd + d] = row < len ? base[row * stride_t + d] : from_float<T>(0.f);
    }
}

__device__ __forceinline__ float row_max8(float x) {
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 4));
    return x;
}

__device__ __forceinline__ float row_sum8(float x) {
    x += __shfl_xor_sync(0xffffffffu, x, 1);
    x += __shfl_xor_sync(0xffffffffu, x, 2);
    x += __shfl_xor_sync(0xffffffffu, x, 4);
    return x;
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads) fa2_fwd_kernel(const Params p) {
    using L = Layout<T, D>;
    constexpr int kLd = L::kLd;
    constexpr int kLdP = L::kLdP;
    constexpr int kDPerThread = D / 8;

    extern __shared__ __align__(16) unsigned char smem[];
    T* q_tile = reinterpret_cast<T*>(smem);
    T* k_tile = q_tile + kBlockM * kLd;
    T* v_tile = k_tile + kBlockN * kLd;
    float* p_tile = reinterpret_cast<float*>(smem + 3 * L::kTileBytes);

    const int m0 = blockIdx.x * kBlockM;
    const int bh = blockIdx.y;
    const int b = bh / p.heads_q;
    const int h = bh - b * p.heads_q;
    const int hk = h / (p.heads_q / p.heads_kv);
    const int ty = threadIdx.x / 8;
    const int tx = threadIdx.x % 8;
    const int off = p.len_k - p.len_q;   // query i sits at key position off + i

    const T* q = static_cast<const T*>(p.q) + b * p.sq_b + h * p.sq_h;
    const T* k = static_cast<const T*>(p.k) + b * p.sk_b + hk * p.sk_h;
    const T* v = static_cast<const T*>(p.v) + b * p.sv_b + hk * p.sv_h;
    T* o = static_cast<T*>(p.o) + b * p.so_b + h * p.so_h;

    load_tile<T, D>(q_tile, q, p.sq_t, m0, p.len_q);

    float m_i[kRowsPerThread];
    float l_i[kRowsPerThread];
    float acc[kRowsPerThread][kDPerThread];
#pragma unroll
    for (int i = 0; i < kRowsPerThread; ++i) {
        m_i[i] = -INFINITY;
        l_i[i] = 0.f;
#pragma unroll
        for (int j = 0; j < kDPerThread; ++j) acc[i][j] = 0.f;
    }

    const int n_end = p.causal ? min(p.len_k, off + m0 + kBlockM) : p.len_k;
    for (int n0 = 0; n0 < n_end; n0 += kBlockN) {
        __syncthreads();   // the previous iteration is done with k_tile, v_tile and p_tile
        load_tile<T, D>(k_tile, k, p.sk_t, n0, p.len_k);
        load_tile<T, D>(v_tile, v, p.sv_t, n0, p.len_k);
        __syncthreads();

        // S = Q K^T for this thread's 4 x 8 scores
        float s[kRowsPerThread][kColsPerThread];
#pragma unroll
        for (int i = 0; i < kRowsPerThread; ++i)
#pragma unroll
            for (int j = 0; j < kColsPerThread; ++j) s[i][j] = 0.f;
#pragma unroll 8
        for (int d = 0; d < D; ++d) {
            float qv[kRowsPerThread];
            float kv[kColsPerThread];
#pragma unroll
            for (int i = 0; i < kRowsPerThread; ++i)
                qv[i] = to_float(q_tile[(ty * kRowsPerThread + i) * kLd + d]);
#pragma unroll
            for (int j = 0; j < kColsPerThread; ++j) kv[j] = to_float(k_tile[(tx + 8 * j) * kLd + d]);
#pragma unroll
            for (int i = 0; i < kRowsPerThread; ++i)
#pragma unroll
                for (int j = 0; j < kColsPerThread; ++j) s[i][j] = fmaf(qv[i], kv[j], s[i][j]);
        }

        // mask, online softmax update, P to shared memory
#pragma unroll
        for (int i = 0; i < kRowsPerThread; ++i) {
            const int row = ty * kRowsPerThread + i;
            const int qpos = m0 + row + off;
            float mx = -INFINITY;
#pragma unroll
            for (int j = 0; j < kColsPerThread; ++j) {
                const int col = n0 + tx + 8 * j;
                const bool keep = col < p.len_k && (!p.causal || col <= qpos);
                s[i][j] = keep ? s[i][j] * p.qk_scale_log2 : -INFINITY;
                mx = fmaxf(mx, s[i][j]);
            }
            const float m_new = fmaxf(m_i[i], row_max8(mx));
            // a row with no visible key yet keeps m = -inf; use 0 so exp2 gives 0, not NaN
            const float m_use = m_new == -INFINITY ? 0.f : m_new;
            const float alpha = exp2f(m_i[i] - m_use);
            float sum = 0.f;
#pragma unroll
            for (int j = 0; j < kColsPerThread; ++j) {
                const float pr = exp2f(s[i][j] - m_use);
                sum += pr;
                p_tile[row * kLdP + tx + 8 * j] = pr;
            }
            l_i[i] = l_i[i] * alpha + row_sum8(sum);
            m_i[i] = m_new;
#pragma unroll
            for (int j = 0; j < kDPerThread; ++j) acc[i][j] *= alpha;
        }
        __syncthreads();

        // acc += P V
#pragma unroll 4
        for (int c = 0; c < kBlockN; ++c) {
            float pv[kRowsPerThread];
#pragma unroll
            for (int i = 0; i < kRowsPerThread; ++i)
                pv[i] = p_tile[(ty * kRowsPerThread + i) * kLdP + c];
#pragma unroll
            for (int j = 0; j < kDPerThread; ++j) {
                const float vv = to_float(v_tile[c * kLd + tx + 8 * j]);
#pragma unroll
                for (int i = 0; i < kRowsPerThread; ++i) acc[i][j] = fmaf(pv[i], vv, acc[i][j]);
            }
        }
    }

#pragma unroll
    for (int i = 0; i < kRowsPerThread; ++i) {
        const int row = m0 + ty * kRowsPerThread + i;
        if (row >= p.len_q) continue;
        const float inv = 1.f / l_i[i];
#pragma unroll
        for (int j = 0; j < kDPerThread; ++j)
            o[row * p.so_t + tx + 8 * j] = from_float<T>(acc[i][j] * inv);
        if (tx == 0)
            p.lse[static_cast<int64_t>(bh) * p.len_q + row] =
                (m_i[i] + log2f(l_i[i])) * 0.6931471805599453f;
    }
}

template <typename T, int D>
cudaError_t launch(const Params& p, int batch, cudaStream_t stream) {
    constexpr size_t smem = Layout<T, D>::kSmemBytes;
    cudaError_t err = cudaFuncSetAttribute(fa2_fwd_kernel<T, D>,
                                           cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           static_cast<int>(smem));
    if (err != cudaSuccess) return err;
    const dim3 grid((p.len_q + kBlockM - 1) / kBlockM, batch * p.heads_q);
    fa2_fwd_kernel<T, D><<<grid, kThreads, smem, stream>>>(p);
    return cudaGetLastError();
}

template <typename T>
cudaError_t dispatch_dim(const Params& p, int head_dim, int batch, cudaStream_t stream) {
    switch (head_dim) {
        case 16: return launch<T, 16>(p, batch, stream);
        case 32: return launch<T, 32>(p, batch, stream);
        case 64: return launch<T, 64>(p, batch, stream);
        case 128: return launch<T, 128>(p, batch, stream);
        default: return cudaErrorInvalidValue;
    }
}

}  // namespace vaani_fa2

// dtype: 0 = float32, 1 = float16, 2 = bfloat16. strides: 12 values, (b, h, t) for q, k, v, o
// in elements (the head dimension must be contiguous). lse: (batch, heads_q, len_q) float32.
// Returns a cudaError_t (0 = success); cudaErrorInvalidValue for an unsupported dtype/dim.
extern "C" int vaani_fa2_fwd(int dtype, int head_dim, const void* q, const void* k,
                             const void* v, void* o, float* lse, int batch, int heads_q,
                             int heads_kv, int len_q, int len_k, const int64_t* strides,
                             float scale, int causal, void* stream) {
    using namespace vaani_fa2;
    if (heads_kv <= 0 || heads_q % heads_kv != 0 || (causal && len_q > len_k))
        return cudaErrorInvalidValue;
    if (len_q == 0 || batch == 0) return cudaSuccess;
    Params p{q, k, v, o, lse, heads_q, heads_kv, len_q, len_k,
             strides[0], strides[1], strides[2], strides[3], strides[4], strides[5],
             strides[6], strides[7], strides[8], strides[9], strides[10], strides[11],
             scale * 1.4426950408889634f, causal};
    cudaStream_t s = static_cast<cudaStream_t>(stream);
    switch (dtype) {
        case 0: return dispatch_dim<float>(p, head_dim, batch, s);
        case 1: return dispatch_dim<__half>(p, head_dim, batch, s);
        case 2: return dispatch_dim<__nv_bfloat16>(p, head_dim, batch, s);
        default: return cudaErrorInvalidValue;
    }
}
