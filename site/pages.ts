// The walkthrough pages, in reading order: site/pages/<name>.html (prose) and site/pages/<name>.page.ts (live part).
export interface PageInfo {
  name: string;
  title: string;
  summary: string;
}

export const PAGES: PageInfo[] = [
  {
    name: 'autograd',
    title: 'Tensors and autograd',
    summary: 'an expression, its graph, its gradients against finite differences',
  },
  { name: 'matmul', title: 'A kernel: matmul', summary: 'naive, tiled and subgroup WGSL, timed live, GFLOP/s plotted' },
  {
    name: 'attention',
    title: 'Attention',
    summary: 'the fused kernel against the unfused math, online softmax, a KV-cache step',
  },
  {
    name: 'gpt',
    title: 'Training a tiny GPT',
    summary: 'a character-level GPT trained in the page: live loss curve and samples',
  },
  {
    name: 'linearisation',
    title: 'Method: linear-attention conversion',
    summary: "the hybrid's linear-mass share per layer",
  },
  {
    name: 'grpo',
    title: 'Method: group-robust preference optimisation',
    summary: 'group weights moving toward the worst group',
  },
];
