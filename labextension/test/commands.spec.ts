/** What the sidebar offers, read from the command table: module verbs, job names, plugin commands and their arguments. */
import {
  actionLabel,
  commandLine,
  isMoreCommand,
  isPluginCommand,
  jobVerb,
  moduleActions,
  moduleArgs,
  paletteLabel,
  restAction,
  runMode
} from '../src/commands';
import { BUILTIN_COMMANDS, HELLO_COMMANDS, arg, commandInfo } from './fakeServer';

const [greet, wave] = HELLO_COMMANDS;

describe('plugin commands', () => {
  it('are those whose source is not tito itself', () => {
    expect(isPluginCommand(greet)).toBe(true);
    expect(isPluginCommand(commandInfo('module.export'))).toBe(false);
  });

  it('are offered under More commands with tito benchmark, the one built-in without a button of its own', () => {
    expect(isMoreCommand(greet)).toBe(true);
    expect(isMoreCommand(commandInfo('benchmark'))).toBe(true);
    expect(isMoreCommand(commandInfo('module.export'))).toBe(false);
    expect(runMode(commandInfo('benchmark', { args: [arg('repeats', { flags: ['--repeats'], kind: 'int' })] }))).toBe(
      'bare'
    );
  });

  it('run bare when they need no argument, options left at their defaults', () => {
    expect(runMode(wave)).toBe('bare');
    expect(runMode(commandInfo('x.y', { args: [arg('loud', { flags: ['--loud'], kind: 'bool' })] }))).toBe('bare');
    expect(runMode(commandInfo('x.y', { args: [arg('what', { nargs: '?' })] }))).toBe('bare');
  });

  it('run for a module when a module is all they need', () => {
    expect(runMode(greet)).toBe('module');
    expect(moduleArgs(greet, '01_numbers')).toEqual({ module: '01_numbers' });
    const many = commandInfo('x.y', {
      acts_on: 'module',
      args: [arg('modules', { nargs: '*' }), arg('force', { flags: ['--force'], kind: 'bool' })]
    });
    expect(runMode(many)).toBe('module');
    expect(moduleArgs(many, '02_doubling')).toEqual({ modules: ['02_doubling'] });
  });

  it('cannot run from a button when they need more than a module', () => {
    expect(runMode(commandInfo('x.y', { args: [arg('name')] }))).toBeNull();
    expect(runMode(commandInfo('x.y', { acts_on: 'module', args: [arg('module'), arg('backup')] }))).toBeNull();
    // A required value that is not a module, even on a module command.
    expect(runMode(commandInfo('x.y', { acts_on: 'module', args: [arg('milestone')] }))).toBeNull();
  });

  it('read as the palette and %tito name them', () => {
    expect(paletteLabel(greet)).toBe('tito: Say hello to a module');
    expect(commandLine(greet)).toBe('hello greet');
  });
});

describe('module actions', () => {
  it('are the commands the table makes REST actions on a module, in its order, with their word as the label', () => {
    const actions = moduleActions([...BUILTIN_COMMANDS, ...HELLO_COMMANDS]);
    expect(actions.map(c => c.name)).toEqual(['module.export', 'module.test', 'module.complete', 'module.validate']);
    expect(actions.map(actionLabel)).toEqual(['Export', 'Test', 'Complete', 'Validate']);
  });

  it('include a package’s command the table makes an action, and no other', () => {
    const lint = commandInfo('lint.check', { acts_on: 'module', source: 'tito-lint', action: 'lint' });
    const [greet] = HELLO_COMMANDS;
    expect(moduleActions([lint, greet]).map(restAction)).toEqual(['lint']);
  });
});

describe('job names', () => {
  it('are a module’s verb, a verb and the kind it acts on, or the command’s name', () => {
    const find = (name: string) => BUILTIN_COMMANDS.find(c => c.name === name)!;
    expect(jobVerb(find('module.complete'))).toBe('Complete');
    expect(jobVerb(find('checkpoint.run'))).toBe('Run checkpoint');
    expect(jobVerb(find('system.doctor'))).toBe('system.doctor');
    expect(jobVerb(HELLO_COMMANDS[0])).toBe('hello.greet');
  });
});
