/** The Lumino widget that holds the sidebar in JupyterLab's left area. */
import * as React from 'react';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

import { titoIcon } from './components/icons';
import { ISidebarActions, Sidebar } from './components/Sidebar';
import { TitoModel } from './model';

export class TitoSidebarWidget extends ReactWidget {
  constructor(
    readonly model: TitoModel,
    private readonly _actions: ISidebarActions
  ) {
    super();
    this.id = 'tito-sidebar';
    this.addClass('jp-TitoSidebar');
    this.title.icon = titoIcon;
    this.title.caption = 'TinyTorch course';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'TinyTorch course');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.stateChanged}>
        {() => <Sidebar model={this.model} actions={this._actions} />}
      </UseSignal>
    );
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }
}
