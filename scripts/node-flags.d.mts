export declare function weirNodeFlags(root?: string): string[];
