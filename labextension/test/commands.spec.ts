/** Which plugin commands the sidebar can run from a button, and with which arguments. */
import { commandLine, isMoreCommand, isPluginCommand, moduleArgs, paletteLabel, runMode } from '../src/commands';
import { HELLO_COMMANDS, arg, commandInfo } from './fakeServer';

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
