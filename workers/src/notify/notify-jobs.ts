import type { Job } from 'bullmq';
import type { Logger } from '../../../core/src/logging.ts';
import type { NotifyDeps } from '../../../core/src/lifecycle/notify-deps.ts';
import { RetryableSendError, sendNotification } from '../../../core/src/lifecycle/notify-send.ts';
import type { SendNotificationPayload } from '../jobs/contracts.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';

/** The notify pool: one job per notification row; the row decides whether there is anything left to do. */
export function createNotifyHandler(deps: NotifyDeps, metrics: WorkerMetrics, log: Logger) {
  return async function handle(job: Job<SendNotificationPayload>): Promise<string> {
    try {
      const result = await sendNotification(deps, job.data.notificationId);
      const label = result.kind === 'sent' ? `sent:${result.channel}` : result.kind === 'final' ? `final:${result.status}` : result.kind;
      metrics.notifications.inc({ result: result.kind, channel: result.kind === 'sent' ? result.channel : '' });
      if (result.kind === 'failed') log.warn({ notificationId: job.data.notificationId, reason: result.reason }, 'notification failed');
      return label;
    } catch (error) {
      if (error instanceof RetryableSendError) metrics.notifications.inc({ result: 'retry', channel: '' });
      throw error;
    }
  };
}
