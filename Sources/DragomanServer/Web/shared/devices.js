// Audio device pickers, shared by the floor page and the interpreter console.

import { t } from './i18n.js';

/** Fills a <select> with audio devices: "default" first, then each device by its label (or a number when the
 * browser hides labels until permission is given), keeping `chosen` selected when it is still there. */
export function fillDeviceSelect(select, devices, chosen, defaultLabel = t('deviceDefault')) {
  select.textContent = '';
  const byDefault = document.createElement('option');
  byDefault.value = '';
  byDefault.textContent = defaultLabel;
  select.append(byDefault);
  let n = 0;
  for (const device of devices) {
    if (device.deviceId === 'default' || device.deviceId === 'communications' || !device.deviceId) continue;
    n += 1;
    const option = document.createElement('option');
    option.value = device.deviceId;
    option.textContent = device.label || t('deviceUnnamed', { n });
    select.append(option);
  }
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : '';
}
