import type { Command } from '../command.ts';
import { auditCommands } from './audit.ts';
import { backupCommands } from './backup.ts';
import { apiKeyCommands, captureCommands } from './capture.ts';
import { certCommands } from './cert.ts';
import { joseCommands } from './jose.ts';
import { keysCommands } from './keys.ts';
import { keystoreCommands } from './keystore.ts';
import { notifyCommands } from './notify.ts';
import { serveCommands } from './serve.ts';
import { settingsCommands } from './settings.ts';
import { agreeCommands, ephemeralCommands, hmacCommands } from './workbench.ts';

export const commands: Command[] = [...keystoreCommands, ...keysCommands, ...certCommands, ...auditCommands, ...captureCommands, ...apiKeyCommands, ...joseCommands, ...ephemeralCommands, ...hmacCommands, ...agreeCommands, ...notifyCommands, ...settingsCommands, ...serveCommands, ...backupCommands];
