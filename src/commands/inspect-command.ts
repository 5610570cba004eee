import { inspectImage } from '../inspect/inspect-image.js';
import { renderInspectTable } from '../report/inspect-table.js';

export async function inspectCommand(image: string, json: boolean): Promise<string> {
  const inspected = await inspectImage(image);
  try {
    return json ? `${JSON.stringify(inspected.inspection, null, 2)}\n` : renderInspectTable(inspected.inspection);
  } finally {
    await inspected.close();
  }
}
