import type { Queue } from 'bullmq';
import type { LifecycleDeps } from '../../../core/src/lifecycle/deps.ts';
import { planDigests } from '../../../core/src/lifecycle/notify-digest.ts';
import { EventGaps, planNotifications } from '../../../core/src/lifecycle/notify-plan.ts';
import { claimDueNotifications, stuckNotificationIds } from '../../../core/src/lifecycle/notify-sweep.ts';
import { JobNames, notifyJobId, notifyJobOptions, notifyRedriveJobId, type SendNotificationPayload } from '../jobs/contracts.ts';

/**
 * The notify leader's periodic work: tail the booking event log into
 * notification rows, claim due rows and queue them, re-drive stuck rows,
 * plan digests. Each step only acts on MySQL state, so a missed tick is
 * caught up by the next and a doubled one adds nothing.
 */
export function createNotifyTasks(deps: LifecycleDeps, queue: Queue<SendNotificationPayload>, options: { stuckAfterMs: number; gapGraceMs: number }) {
  const gaps = new EventGaps(options.gapGraceMs);

  async function plan(): Promise<number> {
    let planned = 0;
    // Drain a backlog (after downtime) in bounded batches within one tick.
    for (let round = 0; round < 20; round++) {
      const report = await planNotifications(deps, gaps, 2000);
      planned += report.planned;
      if (report.events < 2000) break;
    }
    return planned;
  }

  async function sweep(): Promise<number> {
    let queued = 0;
    for (let round = 0; round < 20; round++) {
      const ids = await claimDueNotifications(deps, 500);
      if (ids.length === 0) break;
      await queue.addBulk(ids.map(({ id, dueMs }) => ({ name: JobNames.sendNotification, data: { notificationId: id }, opts: { ...notifyJobOptions, jobId: notifyJobId(id, dueMs) } })));
      queued += ids.length;
      if (ids.length < 500) break;
    }
    return queued;
  }

  async function redriveStuck(): Promise<number> {
    const stuck = await stuckNotificationIds(deps, options.stuckAfterMs, 500);
    await queue.addBulk(
      stuck.map((row) => ({ name: JobNames.sendNotification, data: { notificationId: row.id }, opts: { ...notifyJobOptions, jobId: notifyRedriveJobId(row.id, row.attempts) } })),
    );
    return stuck.length;
  }

  return { plan, sweep, redriveStuck, digests: () => planDigests(deps) };
}
