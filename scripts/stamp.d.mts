export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare function sourceStamp(): { newestSourceMs: number; sourceHash: string };
export declare function builtIsFresh(): boolean;
