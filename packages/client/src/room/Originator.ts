/** Who closed or paused something: this client ('local') or the server ('remote'). */
export type Originator = 'local' | 'remote';
