/** Who acted: the server application ('local') or the client ('remote'). */
export type Originator = 'local' | 'remote';
