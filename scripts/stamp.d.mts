export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare function newestSourceMs(): number;
export declare function builtIsFresh(): boolean;
