// The NetworkManager.conf(5) settings that decide which cards NetworkManager
// brings up by itself: its settings plugins (ifupdown, ifcfg-rh), whether it
// manages the interfaces ifupdown names, and whether it makes its default
// DHCP profile ("Wired connection 1") for a card with no profile. Pure.
import { GLIB_KEYFILE_DIALECT, parseIniSections } from '../../inspect/facts/network/ini-sections.js';

export interface NetworkManagerSettings {
  plugins: string[];
  /** [ifupdown] managed=true: NetworkManager brings up what /etc/network/interfaces names. */
  ifupdownManaged: boolean;
  /** [main] no-auto-default=*: no default DHCP profile for any card. */
  noAutoDefault: boolean;
  /** [keyfile] unmanaged-devices leaves every Ethernet card alone (Ubuntu's 10-globally-managed-devices.conf). */
  ethernetUnmanaged: boolean;
}

export interface NetworkManagerConfigFile {
  path: string;
  text: string;
}

/** GLib key file lists: "," or ";" between items. */
function listOf(value: string): string[] {
  return value.split(/[,;]/).map((item) => item.trim()).filter((item) => item !== '');
}

/** Device specs (NetworkManager.conf(5) "Device List Format") that cover every Ethernet card. */
function coversAllEthernet(specs: readonly string[]): boolean {
  const lowered = specs.map((spec) => spec.toLowerCase());
  const excepted = lowered.some((spec) => spec === 'except:type:ethernet' || spec === 'except:type:ether');
  return !excepted && lowered.some((spec) => spec === '*' || spec === 'type:ethernet' || spec === 'interface-name:*');
}

function isTrue(value: string): boolean {
  return /^(true|yes|on|1)$/i.test(value.trim());
}

/**
 * The settings the files give in the order NetworkManager reads them (main
 * file, then conf.d snippets by name): a later file's key replaces an earlier
 * one's; "plugins+=" and "plugins-=" add to and take from the list.
 * `defaultPlugins` is the build's list when no file sets one (Red Hat's
 * builds: ifcfg-rh).
 */
export function networkManagerSettings(files: readonly NetworkManagerConfigFile[], defaultPlugins: readonly string[]): NetworkManagerSettings {
  let plugins = [...defaultPlugins];
  const settings: NetworkManagerSettings = { plugins, ifupdownManaged: false, noAutoDefault: false, ethernetUnmanaged: false };
  for (const file of files) {
    for (const section of parseIniSections(file.text, GLIB_KEYFILE_DIALECT)) {
      for (const { key, value } of section.entries) {
        if (section.name === 'main' && key === 'plugins') plugins = listOf(value);
        else if (section.name === 'main' && key === 'plugins+') plugins = [...plugins, ...listOf(value)];
        else if (section.name === 'main' && key === 'plugins-') plugins = plugins.filter((plugin) => !listOf(value).includes(plugin));
        else if (section.name === 'main' && key === 'no-auto-default') settings.noAutoDefault = listOf(value).includes('*');
        else if (section.name === 'ifupdown' && key === 'managed') settings.ifupdownManaged = isTrue(value);
        else if (section.name === 'keyfile' && key === 'unmanaged-devices') settings.ethernetUnmanaged = coversAllEthernet(listOf(value));
      }
    }
  }
  settings.plugins = plugins;
  return settings;
}
