// The MeshModel as YAML: stable key order (as built) and sorted lists, so equal models are equal bytes.

import { stringify } from 'yaml';
import type { MeshModel } from './model.js';

export function modelToYaml(model: MeshModel): string {
  return stringify(model, { lineWidth: 0, aliasDuplicateObjects: false });
}
