// The surrogate of a named kernel on a search space, as MCBO builds it: the nominal kernel (O, TO, HED or
// diffusion) on the nominal columns; on mixed spaces the CoCaBO mixture of it with an ARD Matérn-5/2 on the
// numeric columns (λ = 0.5); an output scale on top; an exact GP with MCBO's noise prior.
import { nn } from '../../index.js';
import type { SearchSpace } from './space.js';

export type KernelName = 'O' | 'TO' | 'HED' | 'diffusion';
export const KERNEL_NAMES: readonly KernelName[] = ['O', 'TO', 'HED', 'diffusion'];

export function nominalKernel(name: KernelName, space: SearchSpace): nn.gp.Kernel {
  const dims = space.nominalDims;
  const nCats = space.nCats;
  switch (name) {
    case 'O':
      return nn.gp.overlapKernel({ dims });
    case 'TO':
      return nn.gp.transformedOverlapKernel({ dims });
    case 'HED':
      return nn.gp.hedKernel({ dims, nCats, nDict: 128 });
    case 'diffusion':
      return nn.gp.diffusionKernel({ dims, nCats });
    default:
      throw new Error(`mcbo.nominalKernel: unknown kernel '${name as string}'; known: ${KERNEL_NAMES.join(', ')}`);
  }
}

export function surrogate(name: KernelName, space: SearchSpace, seed: number): nn.gp.ExactGP {
  const hasNominal = space.nominalDims.length > 0;
  const hasNumeric = space.numericDims.length > 0;
  const numeric = () => nn.gp.matern52Kernel({ dims: space.numericDims });
  const base =
    hasNominal && hasNumeric
      ? nn.gp.mixtureKernel(nominalKernel(name, space), numeric(), 0.5)
      : hasNominal
        ? nominalKernel(name, space)
        : numeric();
  return new nn.gp.ExactGP(nn.gp.scaleKernel(base), { seed });
}
