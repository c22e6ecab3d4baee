// What each crate weighs in a `.wasm` built with its name section kept (`BACKPROP_KEEP_NAMES=1`):
// code bytes per crate, from each function body's size and its (mangled or demangled) name.
// Usage: node bench/wasm-sizes.mjs path/to/file.wasm [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/wasm-sizes.mjs file.wasm [top]');
  process.exit(2);
}
const bytes = readFileSync(file);
let pos = 8;
const leb = () => {
  let result = 0, shift = 0, b;
  do { b = bytes[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return result;
};
let importedFunctions = 0;
const bodySizes = [];
const names = new Map();
let dataBytes = 0;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 2) {
    const count = leb();
    for (let i = 0; i < count; i++) {
      pos += leb(); pos += leb(); // module, field
      const kind = bytes[pos++];
      if (kind === 0) { leb(); importedFunctions++; }
      else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); }
      else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); }
      else if (kind === 3) { pos += 2; }
      else if (kind === 4) { pos++; leb(); }
    }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) { const s = leb(); bodySizes.push(s); pos += s; }
  } else if (id === 11) {
    dataBytes = size;
  } else if (id === 0) {
    const nameLen = leb();
    const name = bytes.subarray(pos, pos + nameLen).toString();
    pos += nameLen;
    if (name === 'name') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = leb();
          for (let i = 0; i < count; i++) {
            const index = leb();
            const len = leb();
            names.set(index, bytes.subarray(pos, pos + len).toString());
            pos += len;
          }
        }
        pos = subEnd;
      }
    }
  }
  pos = end;
}
if (names.size === 0) {
  console.error(`${file} has no name section: build it with BACKPROP_KEEP_NAMES=1`);
  process.exit(1);
}
// rust-lld leaves the names mangled (legacy `_ZN<len><ident>…`). An impl's first segment is
// `<Type as Trait>`, written with `$LT$`, `$u20$`, `..`: the crate is the type's, or the trait's when
// the type is a bare generic (`<T as downcast_rs::Downcast>`) or a primitive. Generic code is credited
// to the crate that defines it (`core`'s iterators, `alloc`'s `Vec`), not to the one that instantiates it.
const decode = (segment) => segment.replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
  .replace(/\$RF\$/g, '&').replace(/\$BP\$/g, '*').replace(/\$LP\$/g, '(').replace(/\$RP\$/g, ')').replace(/\$C\$/g, ',')
  .replace(/\$u5b\$/g, '[').replace(/\$u5d\$/g, ']').replace(/\$u7b\$/g, '{').replace(/\$u7d\$/g, '}').replace(/\.\./g, '::');
const firstCrate = (path) => {
  const m = /^[<&*\[(\s]*(?:mut |const |dyn )?([A-Za-z_][A-Za-z0-9_]*)::/.exec(path);
  return m ? m[1] : null;
};
const crateOf = (name) => {
  const mangled = /^_ZN(\d+)(.*)/.exec(name);
  const first = (mangled ? decode(mangled[2].slice(0, Number(mangled[1]))) : name).replace(/^_</, '<');
  if (!first.startsWith('<')) return firstCrate(`${first}::`) ?? '(other)';
  const [type, trait] = first.replace(/^<|>$/g, '').split(' as ');
  return firstCrate(type) ?? (trait ? firstCrate(trait) : null) ?? '(other)';
};
const byCrate = new Map();
let total = 0;
bodySizes.forEach((size, i) => {
  const crate = crateOf(names.get(i + importedFunctions) ?? '(unnamed)');
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  total += size;
});
const top = Number(topArg ?? 30);
console.log(`${file}: ${bodySizes.length} functions, code ${total} bytes, data ${dataBytes} bytes (before wasm-bindgen, which drops its describe functions)`);
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${String(size).padStart(10)}  ${(100 * size / total).toFixed(1).padStart(5)} %  ${crate}`);
}
