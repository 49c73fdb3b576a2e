// The (values, indices) pair that torch returns from max/min/sort/topk along a dim (a named tuple there): read as
// fields (`r.values`) or destructured as a list (`const [values, indices] = r`). It stays a plain object, so a
// `tidy` scope returning it keeps both tensors (scopes look inside plain objects and arrays only); the iterator is
// a non-enumerable property, so only the two tensors are enumerated.
import type { Tensor } from '../core/tensor.js';

// a type alias, not an interface: tidy's result type accepts object types with an implicit index signature only
export type ValuesIndices = {
  readonly values: Tensor;
  readonly indices: Tensor;
  [Symbol.iterator](): Iterator<Tensor>;
};

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const pair = { values, indices };
  Object.defineProperty(pair, Symbol.iterator, {
    value: function* () {
      yield values;
      yield indices;
    },
  });
  return pair as ValuesIndices;
}
