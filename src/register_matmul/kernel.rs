//! The WebGPU side: a matmul kernel with no workgroup memory and no barriers, and the extension's
//! implementation for burn's cubecl backend.

use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::ops::FloatTensorOps;
use burn::backend::{DType, Shape, TensorMetadata};
use burn_cubecl::CubeBackend;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

use super::RegisterTiledMatmul;

/// Rows and columns of the output block one unit computes (in registers).
const TILE: usize = 4;
/// Units per workgroup along each axis: a workgroup covers a 32×32 block of the output.
const UNITS: u32 = 8;

/// `output = lhs · rhs` for `[m, k] · [k, n]` of any strides (so transposed views need no copy).
/// Unit `(x, y)` computes rows `y·TILE ..` and columns `x·TILE ..` of the output, reading `TILE`
/// numbers of `lhs` and `TILE` of `rhs` per step of `k` and adding their `TILE²` products into
/// registers. Rows and columns past the edge read the last row or column instead (so the loop over
/// `k` has no branch) and are not written.
#[cube(launch_unchecked)]
fn register_tiled_matmul_kernel<F: Float>(
    lhs: &Tensor<F>,        // [m, k]
    rhs: &Tensor<F>,        // [k, n]
    output: &mut Tensor<F>, // [m, n]
    #[comptime] tile: usize,
    #[define(F)] _dtype: ElemType,
) {
    let m = output.shape(0);
    let n = output.shape(1);
    let depth = lhs.shape(1);
    let row0 = ABSOLUTE_POS_Y as usize * tile;
    let col0 = ABSOLUTE_POS_X as usize * tile;
    if row0 >= m || col0 >= n {
        terminate!();
    }
    let lhs_k_stride = lhs.stride(1);
    let rhs_k_stride = rhs.stride(0);

    let mut lhs_rows = Array::<usize>::new(tile);
    let mut rhs_cols = Array::<usize>::new(tile);
    #[unroll]
    for i in 0..tile {
        let row = select(row0 + i < m, row0 + i, m - 1);
        lhs_rows[i] = row * lhs.stride(0);
        let col = select(col0 + i < n, col0 + i, n - 1);
        rhs_cols[i] = col * rhs.stride(1);
    }

    let mut acc = Array::<F>::new(tile * tile);
    #[unroll]
    for i in 0..tile * tile {
        acc[i] = F::new(0.0);
    }
    let mut a = Array::<F>::new(tile);
    let mut b = Array::<F>::new(tile);
    for kk in 0..depth {
        let lhs_k = kk * lhs_k_stride;
        let rhs_k = kk * rhs_k_stride;
        #[unroll]
        for i in 0..tile {
            a[i] = lhs[lhs_rows[i] + lhs_k];
            b[i] = rhs[rhs_k + rhs_cols[i]];
        }
        #[unroll]
        for i in 0..tile {
            #[unroll]
            for j in 0..tile {
                acc[i * tile + j] += a[i] * b[j];
            }
        }
    }

    let out_row_stride = output.stride(0);
    let out_col_stride = output.stride(1);
    #[unroll]
    for i in 0..tile {
        let row = row0 + i;
        #[unroll]
        for j in 0..tile {
            let col = col0 + j;
            if row < m && col < n {
                output[row * out_row_stride + col * out_col_stride] = acc[i * tile + j];
            }
        }
    }
}

impl RegisterTiledMatmul for CubeBackend {
    fn register_tiled_matmul(lhs: CubeTensor, rhs: CubeTensor) -> CubeTensor {
        let (lhs_shape, rhs_shape) = (lhs.shape(), rhs.shape());
        let dims = |shape: &Shape| (shape.num_dims() == 2).then(|| (shape[0], shape[1]));
        let (Some((m, depth)), Some((rhs_depth, n))) = (dims(&lhs_shape), dims(&rhs_shape)) else {
            return <Self as FloatTensorOps<Self>>::float_matmul(lhs, rhs);
        };
        // Anything but two f32 matrices that chain is left to burn's matmul. It does not arise: the
        // layers' shapes chain by construction (`MlpConfig::init`, the weights file's checks).
        if depth != rhs_depth || lhs.dtype != DType::F32 || rhs.dtype != DType::F32 {
            return <Self as FloatTensorOps<Self>>::float_matmul(lhs, rhs);
        }
        let output = empty_device_dtype(lhs.client.clone(), lhs.device.clone(), Shape::new([m, n]), DType::F32);
        if m == 0 || n == 0 {
            return output;
        }
        let per_cube = UNITS as usize * TILE;
        let cube_count = CubeCount::Static(n.div_ceil(per_cube) as u32, m.div_ceil(per_cube) as u32, 1);
        let client = output.client.clone();
        // SAFETY: every read is inside `lhs` (`row < m`, `kk < depth`) or `rhs` (`kk < depth`,
        // `col < n`): rows and columns are clamped to the last one, the shapes were checked to
        // chain above, and the strides are the tensors' own; writes are guarded by `row < m && col < n`
        // on an output of exactly `[m, n]`. The loop over `k` ends after `depth` steps.
        unsafe {
            register_tiled_matmul_kernel::launch_unchecked(
                &client,
                cube_count,
                CubeDim::new_2d(UNITS, UNITS),
                lhs.into_tensor_arg(),
                rhs.into_tensor_arg(),
                output.clone().into_tensor_arg(),
                TILE,
                dtype_to_storage_type(DType::F32),
            );
        }
        output
    }
}
