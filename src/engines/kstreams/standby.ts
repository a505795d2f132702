/**
 * Where standby tasks go (`num.standby.replicas`, part K13). Every instance
 * computes the same placement from what the join told it: the generation's
 * members and every member's active partitions (so each task's active
 * instance). The rule is Kafka's (`HighAvailabilityTaskAssignor`,
 * `DefaultStandbyTaskAssignor`): only stateful tasks (those with a
 * changelogged store) get standbys; they are placed in task order, each
 * task's replicas before the next task's, each replica on the least loaded
 * instance that may take it (not the task's active instance, never two
 * copies on one instance), so with fewer instances than replicas + 1 a task
 * gets fewer standbys. The load is the instance's stateful active tasks
 * plus the standbys placed so far: Kafka places stateless tasks after the
 * standbys, so they weigh nothing here. Ties go to the instance nearest
 * after the active one in instance order (Kafka breaks them by its random
 * process ids), so a task's standby stays where it was while the instances
 * stay the same.
 */

/** The process id of a member (`<process>-<incarnation>-<join>`, as instance.ts names members). */
export function processOfMember(memberId: string): string {
  const parts = memberId.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : memberId;
}

export interface TaskPlacement {
  task: string;
  /** The member running the task actively (undefined: nobody, it then gets no standby). */
  active: string | undefined;
}

/** Member id -> the task ids it keeps a standby of; every member is present. `tasks`: the stateful tasks, each with its active member. */
export function placeStandbys(members: readonly string[], tasks: readonly TaskPlacement[], replicas: number): Map<string, string[]> {
  const order = [...members].sort((a, b) => {
    const pa = processOfMember(a);
    const pb = processOfMember(b);
    return pa < pb ? -1 : pa > pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const out = new Map<string, string[]>(order.map((m) => [m, []]));
  if (replicas <= 0 || order.length < 2) return out;
  const load = new Map<string, number>(order.map((m) => [m, 0]));
  for (const t of tasks) if (t.active !== undefined && load.has(t.active)) load.set(t.active, load.get(t.active)! + 1);
  const sorted = [...tasks].sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));
  for (const t of sorted) {
    if (t.active === undefined) continue;
    const start = Math.max(0, order.indexOf(t.active));
    const activeProcess = processOfMember(t.active);
    for (let r = 0; r < replicas; r++) {
      let best: string | undefined;
      for (let i = 1; i <= order.length; i++) {
        const m = order[(start + i) % order.length]!;
        // Not on the active instance (nor on another incarnation of its process), and one copy per instance.
        if (m === t.active || processOfMember(m) === activeProcess || out.get(m)!.includes(t.task)) continue;
        if (best === undefined || load.get(m)! < load.get(best)!) best = m;
      }
      if (best === undefined) break;
      out.get(best)!.push(t.task);
      load.set(best, load.get(best)! + 1);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}
