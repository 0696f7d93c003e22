import type { Profile } from '@x/protocol';

/** A simulcast profile a consumer can prefer. */
export type PreferredProfile = Exclude<Profile, 'none'>;
