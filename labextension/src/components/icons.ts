/** The sidebar's own icon: a torch, drawn in the theme's icon colour. */
import { LabIcon } from '@jupyterlab/ui-components';

import titoSvg from '../../style/icons/tito.svg';

export const titoIcon = new LabIcon({ name: 'tito-jupyter:tito', svgstr: titoSvg });
