// Child process of interrupted-save.test.ts (not a test itself): saves over an existing checkpoint or tokenizer
// file so that the parent can interrupt the write.
//   loop <path>          saves a 4M-element checkpoint over <path> again and again, printing "saving" before each
//   once <path>          saves one checkpoint (the parent runs it under `ulimit -f`, so the write fails midway)
//   tokenizer <path>     saves a tokenizer (also under `ulimit -f`)
import { full, nn } from '../../index.js';
import { safetensors, saveTokenizer } from '../../node.js';

const [mode, path] = process.argv.slice(2);
if (mode === 'tokenizer') {
  saveTokenizer(
    nn.text.CharTokenizer.train(
      'abcdefghijklmnopqrstuvwxyz'.repeat(10) +
        String.fromCodePoint(...Array.from({ length: 20000 }, (_, i) => 0x4e00 + i)),
    ),
    path,
  );
} else {
  for (let round = 1; ; round++) {
    const weights = full([4 * 1024 * 1024], round + 1, { device: 'cpu' });
    process.stdout.write('saving\n');
    await safetensors.save(path, { weights });
    weights.dispose();
    if (mode === 'once') break;
  }
}
