#!/usr/bin/env node
// Loads every graph of a model directory with onnxruntime-node, checks names, types and shapes
// against model_index.json, sha256, parity with the reference tensors, and times the default
// pipeline at 512x512 output on `--threads` intra-op threads.
// usage: node training/check_onnx.cjs models/medsr-ldm-v2 [--bench] [--threads 2] [--json out.json]
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
// onnxruntime's telemetry stays off, as in the product (src/pipeline/runtime/telemetry-off.ts)
process.env.ORT_DISABLE_TELEMETRY ??= '1';
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
const dir = args[0];
const bench = args.includes('--bench');
const threads = Number(args[args.indexOf('--threads') + 1]) || 2;
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
const idx = JSON.parse(fs.readFileSync(path.join(dir, 'model_index.json'), 'utf8'));
const failures = [];
const report = { graphs: {}, parity: {}, timing: null };

function readTensor(refDir, t) {
  const buf = fs.readFileSync(path.join(refDir, t.file));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  if (t.type === 'int64') return new ort.Tensor('int64', new BigInt64Array(ab), t.shape);
  return new ort.Tensor('float32', new Float32Array(ab), t.shape);
}

function compare(name, got, want) {
  let maxAbs = 0, maxRef = 0;
  for (let i = 0; i < want.data.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(got.data[i] - want.data[i]));
    maxRef = Math.max(maxRef, Math.abs(want.data[i]));
  }
  const rel = maxAbs / Math.max(maxRef, 1e-12);
  const shapeOk = JSON.stringify(got.dims) === JSON.stringify(want.dims);
  report.parity[name] = { max_abs: maxAbs, rel_to_max: rel, shape_ok: shapeOk };
  if (!shapeOk || rel > 1e-4) failures.push(`${name}: parity rel ${rel} shape ${got.dims} vs ${want.dims}`);
}

function f32(shape, fill) {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = fill(i);
  return new ort.Tensor('float32', a, shape);
}

(async () => {
  const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
                 executionProviders: ['cpu'] };
  const S = {};
  for (const [name, g] of Object.entries(idx.graphs)) {
    const file = path.join(dir, g.file);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (sha !== g.sha256) failures.push(`${name}: sha256 mismatch`);
    const s = await ort.InferenceSession.create(file, opts);
    S[name] = s;
    const ins = Object.keys(g.inputs), outs = Object.keys(g.outputs);
    if (JSON.stringify([...s.inputNames].sort()) !== JSON.stringify([...ins].sort()))
      failures.push(`${name}: inputs ${s.inputNames} != ${ins}`);
    if (JSON.stringify([...s.outputNames].sort()) !== JSON.stringify([...outs].sort()))
      failures.push(`${name}: outputs ${s.outputNames} != ${outs}`);
    report.graphs[name] = { inputs: s.inputNames, outputs: s.outputNames, bytes: fs.statSync(file).size };
    // reference parity
    const refDir = path.join(dir, idx.reference || 'reference');
    const rp = path.join(refDir, name + '.json');
    if (fs.existsSync(rp)) {
      const ref = JSON.parse(fs.readFileSync(rp, 'utf8'));
      const feeds = {};
      for (const [k, t] of Object.entries(ref.inputs)) feeds[k] = readTensor(refDir, t);
      const res = await s.run(feeds);
      for (const [k, t] of Object.entries(ref.outputs)) {
        const spec = g.outputs[k];
        if (!res[k]) { failures.push(`${name}: no output ${k}`); continue; }
        if (spec && res[k].dims.length !== spec.shape.length) failures.push(`${name}.${k}: rank`);
        if (spec && res[k].type !== spec.type) failures.push(`${name}.${k}: type ${res[k].type}`);
        compare(`${name}.${k}`, res[k], readTensor(refDir, t));
      }
    } else failures.push(`${name}: no reference tensors`);
  }
  // full pipeline reference: x_up -> condition -> 4 DDIM steps -> decoded
  const refDir = path.join(dir, idx.reference || 'reference');
  const pp = path.join(refDir, 'pipeline.json');
  if (fs.existsSync(pp)) {
    const P = JSON.parse(fs.readFileSync(pp, 'utf8'));
    const T = (k) => readTensor(refDir, P.tensors[k]);
    const sf = idx.latent.scale_factor;
    const sc = idx.scheduler;
    const T0 = sc.num_train_timesteps;
    const betas = [], abar = [];
    let prod = 1;
    for (let i = 0; i < T0; i++) {
      const b = Math.sqrt(sc.beta_start) + (Math.sqrt(sc.beta_end) - Math.sqrt(sc.beta_start)) * i / (T0 - 1);
      prod *= 1 - b * b; abar.push(prod);
    }
    const ids = new ort.Tensor('int64', BigInt64Array.from(P.input_ids.map(BigInt)), [1, P.input_ids.length]);
    const emb = (await S.text_encoder.run({ input_ids: ids })).text_embeds;
    const lat = (await S.vae_encoder.run({ image: T('x_up') })).latent;
    const cond = new ort.Tensor('float32', lat.data.map((v) => v * sf), lat.dims);
    compare('pipeline.condition', cond, T('condition'));
    const noise = T('noise');
    const ts = P.timesteps;
    let z = cond.data.map((c, i) => Math.sqrt(abar[ts[0]]) * c + Math.sqrt(1 - abar[ts[0]]) * noise.data[i]);
    for (let k = 0; k < ts.length; k++) {
      const out = (await S.unet.run({ sample: new ort.Tensor('float32', z, cond.dims), condition: cond,
        timestep: new ort.Tensor('float32', Float32Array.from([ts[k]]), [1]), text_embeds: emb })).model_output;
      const a = abar[ts[k]], ap = k + 1 < ts.length ? abar[ts[k + 1]] : 1.0;
      z = z.map((zi, i) => {
        const v = out.data[i];
        const x0 = Math.sqrt(a) * zi - Math.sqrt(1 - a) * v;
        const eps = Math.sqrt(a) * v + Math.sqrt(1 - a) * zi;
        return Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps;
      });
    }
    const zl = new ort.Tensor('float32', z.map((v) => v / sf), cond.dims);
    const dec = (await S.vae_decoder.run({ latent: zl })).image;
    compare('pipeline.decoded', dec, T('decoded'));
    const reg = (await S.regression.run({ image: T('x_up') })).output;
    compare('pipeline.regression', reg, T('regression'));
  } else failures.push('no pipeline reference');
  if (bench) {
    const H = 512, f = idx.latent.downsample, C = idx.latent.channels, h = H / f;
    const steps = idx.scheduler.default_steps;
    const img = f32([1, 1, H, H], (i) => Math.sin(i * 0.001));
    const ids = new ort.Tensor('int64', new BigInt64Array(16), [1, 16]);
    const once = async () => {
      const t0 = performance.now();
      const emb = (await S.text_encoder.run({ input_ids: ids })).text_embeds;
      const t1 = performance.now();
      const c = (await S.vae_encoder.run({ image: img })).latent;
      const t2 = performance.now();
      let z = c;
      for (let k = 0; k < steps; k++)
        z = (await S.unet.run({ sample: z, condition: c, timestep: new ort.Tensor('float32', Float32Array.from([100]), [1]), text_embeds: emb })).model_output;
      const t3 = performance.now();
      await S.vae_decoder.run({ latent: z });
      const t4 = performance.now();
      await S.regression.run({ image: img });
      const t5 = performance.now();
      return { text_ms: t1 - t0, vae_encode_ms: t2 - t1, unet_ms_per_step: (t3 - t2) / steps,
               vae_decode_ms: t4 - t3, pipeline_ms: t4 - t0, regression_ms: t5 - t4 };
    };
    await once();
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await once());
    const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[2];
    report.timing = { output: [H, H], latent: [C, h, h], steps, threads,
      runtime: `onnxruntime-node ${require('onnxruntime-node/package.json').version} cpu` };
    for (const k of Object.keys(runs[0])) report.timing[k] = med(k);
  }
  report.failures = failures;
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(report, null, 1));
  console.log(JSON.stringify(report, null, 1));
  if (failures.length) { console.error('FAILED:\n' + failures.join('\n')); process.exit(1); }
})().catch((e) => { console.error(e); process.exit(1); });
