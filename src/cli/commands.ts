import type { Command } from 'commander';
import { register as registerBatch } from './batch';
import { register as registerBench } from './bench';
import { register as registerEval } from './eval';
import { register as registerInfo } from './info';
import { register as registerServe } from './serve';
import { register as registerUpscale } from './upscale';
import { register as registerWorker } from './worker';

/** Every `medsr` subcommand: one file each under src/cli/, registered here in help order. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerServe, registerUpscale, registerBatch, registerInfo, registerEval, registerBench, registerWorker];
