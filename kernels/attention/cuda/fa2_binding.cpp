// Thin torch binding for fa2_fwd.cu: checks the tensors, allocates O and the log-sum-exp, and
// calls vaani_fa2_fwd(). It includes no CUDA header (the stream comes from Python as an
// integer), so it also compiles against a CPU-only torch, which is how CI checks it.

#include <torch/extension.h>

#include <cstdint>
#include <vector>

extern "C" int vaani_fa2_fwd(int dtype, int head_dim, const void* q, const void* k,
                             const void* v, void* o, float* lse, int batch, int heads_q,
                             int heads_kv, int len_q, int len_k, const int64_t* strides,
                             float scale, int causal, void* stream);

namespace {

int dtype_code(const torch::Tensor& t) {
    switch (t.scalar_type()) {
        case torch::kFloat32: return 0;
        case torch::kFloat16: return 1;
        case torch::kBFloat16: return 2;
        default: TORCH_CHECK(false, "fa2_fwd: dtype must be float32, float16 or bfloat16");
    }
    return -1;
}

std::vector<torch::Tensor> forward(torch::Tensor q, torch::Tensor k, torch::Tensor v,
                                   bool causal, double scale, int64_t stream) {
    TORCH_CHECK(q.is_cuda() && k.is_cuda() && v.is_cuda(), "fa2_fwd: tensors must be on CUDA");
    TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.sizes() == k.sizes(),
                "fa2_fwd: q (B,Hq,Tq,D), k and v (B,Hkv,Tk,D)");
    TORCH_CHECK(q.scalar_type() == k.scalar_type() && q.scalar_type() == v.scalar_type(),
                "fa2_fwd: q, k, v must share a dtype");
    TORCH_CHECK(q.size(0) == k.size(0) && q.size(3) == k.size(3),
                "fa2_fwd: q and k must share batch and head dim");
    TORCH_CHECK(q.size(1) % k.size(1) == 0, "fa2_fwd: Hq must be a multiple of Hkv");
    const int64_t d = q.size(3);
    TORCH_CHECK(d == 16 || d == 32 || d == 64 || d == 128, "fa2_fwd: head dim 16/32/64/128");
    if (q.stride(3) != 1) q = q.contiguous();
    if (k.stride(3) != 1) k = k.contiguous();
    if (v.stride(3) != 1) v = v.contiguous();
    auto o = torch::empty(q.sizes(), q.options());
    auto lse = torch::empty({q.size(0), q.size(1), q.size(2)}, q.options().dtype(torch::kFloat32));
    const int64_t strides[12] = {q.stride(0), q.stride(1), q.stride(2), k.stride(0),
                                 k.stride(1), k.stride(2), v.stride(0), v.stride(1),
                                 v.stride(2), o.stride(0), o.stride(1), o.stride(2)};
    const int err = vaani_fa2_fwd(dtype_code(q), static_cast<int>(d), q.data_ptr(), k.data_ptr(),
                                  v.data_ptr(), o.data_ptr(), lse.data_ptr<float>(),
                                  static_cast<int>(q.size(0)), static_cast<int>(q.size(1)),
                                  static_cast<int>(k.size(1)), static_cast<int>(q.size(2)),
                                  static_cast<int>(k.size(2)), strides,
                                  static_cast<float>(scale), causal ? 1 : 0,
                                  reinterpret_cast<void*>(stream));
    TORCH_CHECK(err == 0, "fa2_fwd: CUDA error ", err);
    return {o, lse};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
    m.def("forward", &forward, "FlashAttention-2 forward (returns O and natural-log LSE)");
}
