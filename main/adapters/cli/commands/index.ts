import type { Command } from '../command.ts';
import { auditCommands } from './audit.ts';
import { apiKeyCommands, captureCommands } from './capture.ts';
import { certCommands } from './cert.ts';
import { keysCommands } from './keys.ts';
import { keystoreCommands } from './keystore.ts';
import { notifyCommands } from './notify.ts';
import { serveCommands } from './serve.ts';

export const commands: Command[] = [...keystoreCommands, ...keysCommands, ...certCommands, ...auditCommands, ...captureCommands, ...apiKeyCommands, ...notifyCommands, ...serveCommands];
