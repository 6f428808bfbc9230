/**
 * What the sidebar offers, read from tito's command table (`GET commands`), never listed here again.
 *
 * Pure functions over the table: the verbs a module's row and the palette offer (the commands the table makes REST
 * actions), what a job is called for people, which commands are plugins', whether one can run from a button (it
 * needs nothing, or just a module), and the arguments to send for a module.
 */
import { ICommandArg, ICommandInfo } from './types';

/** The `source` of tito's own commands. */
export const BUILTIN_SOURCE = 'tito_jupyter';

/** How a button runs a command: as it is, or for one module. */
export type RunMode = 'bare' | 'module';

/**
 * The command's word as a REST action (`export` for `module.export`: `POST modules/{module}/export`), or null when
 * it runs through `POST jobs` only: the table says so (`action`).
 */
export function restAction(command: ICommandInfo): string | null {
  return command.action;
}

/** The commands a module's row offers, one button each, in the table's order. */
export function moduleActions(commands: readonly ICommandInfo[]): ICommandInfo[] {
  return commands.filter(c => c.acts_on === 'module' && restAction(c) !== null);
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A REST action's button label: "Export", "Complete". */
export function actionLabel(command: ICommandInfo): string {
  return capitalized(restAction(command) ?? command.path[command.path.length - 1]);
}

/**
 * What a job of `command` is called, before what it acts on: a module's verb ("Complete"), a verb and the kind it
 * acts on ("Run checkpoint"), or, for a command of no resource of its own, its name (`system.doctor`).
 */
export function jobVerb(command: Pick<ICommandInfo, 'name' | 'path' | 'acts_on'>): string {
  const word = command.path[command.path.length - 1];
  if (command.acts_on && command.path.length === 2 && command.path[0] === command.acts_on) {
    return command.acts_on === 'module' ? capitalized(word) : `${capitalized(word)} ${command.acts_on}`;
  }
  return command.name;
}

export function isPluginCommand(command: ICommandInfo): boolean {
  return command.source !== BUILTIN_SOURCE;
}

/** tito's own commands that have no button of their own and are offered under "More commands" too. */
export const MORE_BUILTINS: readonly string[] = ['benchmark'];

/** Whether "More commands" (and the palette) offers `command`: a plugin's, or one of {@link MORE_BUILTINS}. */
export function isMoreCommand(command: ICommandInfo): boolean {
  return isPluginCommand(command) || MORE_BUILTINS.includes(command.name);
}

function isPositional(arg: ICommandArg): boolean {
  return !arg.flags || arg.flags.length === 0;
}

/** An argument the command can do without: an option, or a positional that takes zero or more values. */
function isOptional(arg: ICommandArg): boolean {
  return !isPositional(arg) || arg.nargs === '?' || arg.nargs === '*';
}

/** The argument that names the module, for a command that acts on one. */
export function moduleArg(command: ICommandInfo): ICommandArg | null {
  if (command.acts_on !== 'module') {
    return null;
  }
  const positional = command.args.filter(isPositional);
  const arg = positional.length === 1 ? positional[0] : null;
  return arg && (arg.name === 'module' || arg.name === 'modules') ? arg : null;
}

/**
 * How the sidebar can run a command, or null when it needs more than a module (run it with `%tito` then).
 *
 * A command that acts on modules runs for one; any other command runs bare if it needs no argument. Options
 * are left at their defaults, as on the command line.
 */
export function runMode(command: ICommandInfo): RunMode | null {
  const arg = moduleArg(command);
  if (arg && command.args.every(a => a === arg || isOptional(a))) {
    return 'module';
  }
  return command.args.every(isOptional) ? 'bare' : null;
}

/** The `args` of `POST jobs` that run `command` for `moduleId`. */
export function moduleArgs(command: ICommandInfo, moduleId: string): Record<string, unknown> {
  const arg = moduleArg(command);
  if (!arg) {
    return {};
  }
  const many = arg.nargs === '*' || arg.nargs === '+';
  return { [arg.name]: many ? [moduleId] : moduleId };
}

/** The command as typed after `%tito` (`hello greet`). */
export function commandLine(command: ICommandInfo): string {
  return command.path.join(' ');
}

/** The command palette's label: "tito: Say hello to a module". */
export function paletteLabel(command: ICommandInfo): string {
  return `tito: ${command.help.replace(/\.\s*$/, '') || command.name}`;
}
