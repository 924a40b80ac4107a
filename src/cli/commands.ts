import type { Command } from 'commander';
import { register as registerBench } from './bench';
import { register as registerEval } from './eval';
import { register as registerInfo } from './info';

/** Every `medsr` subcommand: one file each under src/cli/, registered here in help order. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerInfo, registerEval, registerBench];
