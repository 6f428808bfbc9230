/**
 * The tito lab extension: a left-sidebar panel with the TinyTorch course, and commands in the palette.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';

import { actionLabel, paletteLabel, restAction, runMode } from './commands';
import { TitoModel } from './model';
import { cellLinkOf } from './cellLink';
import { ICellTarget } from './notWritten';
import { listenForOpenRequests } from './openRequests';
import { TitoSidebarWidget } from './widget';

const CommandIDs = {
  openSidebar: 'tito:open-sidebar',
  refresh: 'tito:refresh'
} as const;

/** The id of the palette command that runs a module action for the current notebook (`tito:complete-current`). */
const currentModuleCommandId = (action: string) => `tito:${action}-current`;

/** The id prefix of commands installed packages add to tito (`tito:plugin:hello.greet`). */
const PLUGIN_COMMAND_PREFIX = 'tito:plugin:';

/** A line that runs tito from a cell: the magic, or the CLI through the shell. */
const TITO_CELL = /^\s*(%%?tito|!tito)\b/m;
/** A line that runs the magic, which listens for the save announcement (the CLI reads the file when it is saved). */
const MAGIC_CELL = /^\s*%%?tito\b/m;

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'tito-jupyter:plugin',
  description: 'The TinyTorch course in a sidebar: modules, checkpoints and live jobs.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ICommandPalette, ILayoutRestorer, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null
  ) => {
    /** Save the open notebooks among `paths` that have unsaved changes. */
    const saveNotebooks = async (paths: string[]): Promise<void> => {
      for (const path of paths) {
        const widget = docManager.findWidget(path);
        const context = widget ? docManager.contextForWidget(widget) : undefined;
        if (context && context.model.dirty && !context.model.readOnly) {
          await context.save();
        }
      }
    };

    const model = new TitoModel({
      events: app.serviceManager.events?.stream ?? null,
      saveNotebooks,
      // tito's absolute root first: JupyterLab's `serverRoot` abbreviates the home folder to ~ (see extension.py).
      serverRoot: PageConfig.getOption('titoServerRoot') || PageConfig.getOption('serverRoot')
    });

    const openCourseFile = (coursePath: string, testName?: string): void => {
      const path = model.contentsPath(coursePath);
      const widget = docManager.openOrReveal(path);
      if (widget && testName && widget instanceof NotebookPanel) {
        void goToDefinition(widget, testName);
      }
    };

    const openCourseCell = (coursePath: string, target: ICellTarget): void => {
      const widget = docManager.openOrReveal(model.contentsPath(coursePath));
      if (widget instanceof NotebookPanel) {
        void goToCell(widget, target);
      }
    };

    // `tito module start NN` in a terminal: open the notebook here, in front.
    listenForOpenRequests(app.serviceManager.events?.stream ?? null, path => {
      void app.commands.execute('docmanager:open', { path });
    });

    const sidebar = new TitoSidebarWidget(model, { openCourseFile, openCourseCell });
    app.shell.add(sidebar, 'left', { rank: 650 });
    restorer?.add(sidebar, 'tito-sidebar');
    model.setVisible(sidebar.isVisible);
    void model.start();

    const { commands } = app;
    commands.addCommand(CommandIDs.openSidebar, {
      label: 'tito: Open course sidebar',
      caption: 'Show the TinyTorch course in the left sidebar',
      execute: () => app.shell.activateById(sidebar.id)
    });
    commands.addCommand(CommandIDs.refresh, {
      label: 'tito: Refresh',
      caption: 'Read the course, the checkpoints and the jobs again',
      execute: () => (model.connection === 'ready' ? model.refresh() : model.start())
    });

    /** The module the current notebook belongs to, as the server says (asked when the notebook comes to front). */
    const currentModule = (): string | null => {
      const panel = notebooks?.currentWidget;
      return panel ? model.moduleOfNotebook(panel.context.path) : null;
    };
    /** The same, waiting for the server's answer if it has not come yet (a command run at once). */
    const askCurrentModule = async (): Promise<string | null> => {
      const panel = notebooks?.currentWidget;
      return panel ? model.lookUpNotebook(panel.context.path) : null;
    };
    const lookUpCurrent = () => void askCurrentModule();
    notebooks?.currentChanged.connect(lookUpCurrent);
    // The first answer can only come once the sidebar is connected; a notebook in front before that is asked then.
    model.stateChanged.connect(() => {
      if (model.connection === 'ready') {
        lookUpCurrent();
      }
    });
    // The module actions of the table (`GET commands`), for the current notebook's module: one palette entry each
    // ("tito: Complete current module"), once the server has listed them.
    const addCurrentModuleCommands = () => {
      for (const info of model.moduleActions) {
        const action = restAction(info);
        const id = action ? currentModuleCommandId(action) : null;
        if (!action || !id || commands.hasCommand(id)) {
          continue;
        }
        commands.addCommand(id, {
          label: `tito: ${actionLabel(info)} current module`,
          caption: `${info.help} (for the module of the current notebook)`,
          isEnabled: () => model.connection === 'ready' && !model.busy && currentModule() !== null,
          execute: async () => {
            const module = await askCurrentModule();
            if (module) {
              app.shell.activateById(sidebar.id);
              await model.runModuleAction(module, action);
            }
          }
        });
        palette?.addItem({ command: id, category: 'TinyTorch' });
      }
    };
    model.stateChanged.connect(addCurrentModuleCommands);
    // The palette re-renders every item on each notification (and a click on an item then misses), so tell it
    // only when something the commands' enabled state reads has changed, not on every refresh of the course.
    let commandState = '';
    model.stateChanged.connect(() => {
      const next = `${model.connection}/${model.busy}/${model.commandModule ?? ''}/${currentModule() ?? ''}`;
      if (next !== commandState) {
        commandState = next;
        commands.notifyCommandChanged();
      }
    });

    if (palette) {
      for (const command of Object.values(CommandIDs)) {
        palette.addItem({ command, category: 'TinyTorch' });
      }
    }

    // Commands installed packages add: one palette entry each, once the server has listed them. A module
    // command runs for the current notebook's module, else for the module chosen in the sidebar.
    const addPluginCommands = () => {
      for (const info of model.pluginCommands) {
        const id = PLUGIN_COMMAND_PREFIX + info.name;
        const mode = runMode(info);
        if (!mode || commands.hasCommand(id)) {
          continue;
        }
        const moduleFor = () => (mode === 'module' ? (currentModule() ?? model.commandModule) : null);
        commands.addCommand(id, {
          label: paletteLabel(info),
          caption: `${info.help} (${info.name}, from ${info.source})`,
          isEnabled: () => model.connection === 'ready' && !model.busy && (mode === 'bare' || moduleFor() !== null),
          execute: async () => {
            app.shell.activateById(sidebar.id);
            const module = mode === 'module' ? ((await askCurrentModule()) ?? model.commandModule) : null;
            await model.runCommand(info.name, module);
          }
        });
        palette?.addItem({ command: id, category: 'TinyTorch' });
      }
    };
    model.stateChanged.connect(addPluginCommands);

    // A link in `%tito`'s output to the cell of a function not written yet (`…ipynb#cell-id=tensor-05`):
    // open the notebook at that cell, selected, as the sidebar's links do. Taken before the link's own handler
    // (JupyterLab's only scrolls; in the magic's widget panel the browser would load the page anew).
    document.addEventListener(
      'click',
      event => {
        const anchor = event.target instanceof Element ? event.target.closest('.jp-OutputArea a[href]') : null;
        if (!(anchor instanceof HTMLAnchorElement) || event.button !== 0 || event.ctrlKey || event.metaKey) {
          return;
        }
        const panel = notebooks?.find(p => p.node.contains(anchor));
        const href = anchor.getAttribute('href') ?? '';
        const link = panel ? cellLinkOf(href, panel.context.path, PageConfig.getBaseUrl()) : null;
        if (!link) {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
        const widget = docManager.openOrReveal(link.path);
        if (widget instanceof NotebookPanel) {
          void goToCell(widget, { cellId: link.cellId, cell: null });
        }
      },
      true
    );

    // A `%tito` cell reads the notebook from disk: save it first so tito sees what the student sees. The save
    // and the cell race, so the kernel is told first: this signal fires just before the cell's execute request
    // goes out, and a comm opened now reaches the kernel's shell channel ahead of it. `%tito` then waits for
    // the save to land instead of calling the notebook unsaved.
    NotebookActions.executionScheduled.connect((_, { notebook, cell }) => {
      if (cell.model.type !== 'code' || !TITO_CELL.test(cell.model.sharedModel.getSource())) {
        return;
      }
      const panel = notebooks?.find(p => p.content === notebook);
      if (panel && panel.context.model.dirty && !panel.context.model.readOnly) {
        if (MAGIC_CELL.test(cell.model.sharedModel.getSource())) {
          announceSave(panel);
        }
        void panel.context.save();
      }
    });
  }
};

/** The comm `%tito` listens on for "the frontend is saving this notebook" (tito_jupyter.magics.SAVE_COMM_TARGET). */
const SAVE_COMM_TARGET = 'tito.save';

/** Tell the notebook's kernel that a save of its notebook has started (a kernel without tito ignores it). */
function announceSave(panel: NotebookPanel): void {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel || !kernel.handleComms) {
    return;
  }
  try {
    const comm = kernel.createComm(SAVE_COMM_TARGET);
    // When the copy on disk was saved: the kernel waits for a newer one, the save this announces.
    comm.open({ path: panel.context.path, last_modified: panel.context.contentsModel?.last_modified ?? null });
    comm.close();
  } catch (reason) {
    console.warn('tito: could not tell the kernel that the notebook is being saved', reason);
  }
}

/** Select and show a cell of an opened notebook: by its id, else by its position (1-based). */
async function goToCell(panel: NotebookPanel, target: ICellTarget): Promise<void> {
  await panel.context.ready;
  const notebook = panel.content;
  let index = target.cellId ? notebook.widgets.findIndex(cell => cell.model.id === target.cellId) : -1;
  if (index < 0 && target.cell !== null && target.cell >= 1 && target.cell <= notebook.widgets.length) {
    index = target.cell - 1;
  }
  await showCell(notebook, index);
}

/** Select the cell at `index` (nothing if there is none), scroll it into the middle and give it the focus. */
async function showCell(notebook: NotebookPanel['content'], index: number): Promise<void> {
  if (index < 0) {
    return;
  }
  notebook.activeCellIndex = index;
  notebook.mode = 'command';
  const cell = notebook.widgets[index];
  await notebook.scrollToCell(cell, 'center');
  cell.node.focus();
}

/** Activate and show the cell that defines `name` (a test function) in an opened notebook. */
async function goToDefinition(panel: NotebookPanel, name: string): Promise<void> {
  await panel.context.ready;
  const notebook = panel.content;
  const definition = new RegExp(`^\\s*def\\s+${name.replace(/[^\w]/g, '')}\\s*\\(`, 'm');
  await showCell(
    notebook,
    notebook.widgets.findIndex(cell => definition.test(cell.model.sharedModel.getSource()))
  );
}

export default plugin;
