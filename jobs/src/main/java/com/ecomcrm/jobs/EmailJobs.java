package com.ecomcrm.jobs;

import static java.util.Objects.requireNonNull;

import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.support.TaskExecutorJobLauncher;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JobRepositoryFactoryBean;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.batch.support.transaction.ResourcelessTransactionManager;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The Spring Batch jobs, with the job repository in PostgreSQL (the BATCH_* tables of migration V4), wired by hand
 * (no Spring Boot, no application context):
 * <ul>
 *   <li>{@code triggerEvaluationJob}: one step, {@link TriggerEvaluator#evaluateAll()}; each shop commits its
 *       inserts and watermarks in its own transaction;</li>
 *   <li>{@code sendJob}: one step: hold expired leases, release sends HELD for quota that the quota now allows,
 *       then {@link SendWorker#drain(int)}. Run as many at once as
 *       wanted (each launch has its own unique parameters).</li>
 * </ul>
 */
public final class EmailJobs {
    private final JobRepository repository;
    private final TaskExecutorJobLauncher launcher;
    private final DataSourceTransactionManager transactions;

    public EmailJobs(DataSource dataSource) {
        requireNonNull(dataSource, "dataSource is null");
        this.transactions = new DataSourceTransactionManager(dataSource);
        try {
            JobRepositoryFactoryBean factory = new JobRepositoryFactoryBean();
            factory.setDataSource(dataSource);
            factory.setTransactionManager(transactions);
            factory.setDatabaseType("POSTGRES");
            // Every launch has unique parameters (a fresh run id), so two launches never race for one job instance;
            // the default SERIALIZABLE creation only made send jobs launched at once (JobsMain.runSendJobs) fail
            // with "could not serialize access".
            factory.setIsolationLevelForCreate("ISOLATION_READ_COMMITTED");
            factory.afterPropertiesSet();
            this.repository = factory.getObject();
            this.launcher = new TaskExecutorJobLauncher();
            launcher.setJobRepository(repository);
            launcher.afterPropertiesSet();
        }
        catch (Exception e) {
            throw new IllegalStateException("Cannot set up the Spring Batch job repository: " + e.getMessage(), e);
        }
    }

    public Job triggerEvaluationJob(TriggerEvaluator evaluator) {
        return triggerEvaluationJob(evaluator, null);
    }

    /** As above, plus a second step for win-back / VIP from the nightly segment history when {@code segments} is set. */
    public Job triggerEvaluationJob(TriggerEvaluator evaluator, SegmentTriggerEvaluator segments) {
        var job = new JobBuilder("triggerEvaluationJob", repository)
                .start(new StepBuilder("evaluateTriggers", repository)
                        .tasklet((contribution, context) -> {
                            TriggerEvaluator.Result r = evaluator.evaluateAll();
                            contribution.incrementWriteCount(r.scheduled());
                            context.getStepContext().getStepExecution().getExecutionContext()
                                    .putString("result", r.toString());
                            return RepeatStatus.FINISHED;
                        }, transactions)
                        .build());
        if (segments != null) {
            job = job.next(new StepBuilder("evaluateSegmentTransitions", repository)
                    .tasklet((contribution, context) -> {
                        SegmentTriggerEvaluator.Result r = segments.evaluateAll();
                        contribution.incrementWriteCount(r.scheduled());
                        context.getStepContext().getStepExecution().getExecutionContext()
                                .putString("result", r.toString());
                        return RepeatStatus.FINISHED;
                    }, transactions)
                    .build());
        }
        return job.build();
    }

    public Job sendJob(SendWorker worker, int batchSize) {
        return sendJob(worker, batchSize, null);
    }

    /**
     * As above; then, when {@code quotaNotices} is set, the shop owners whose sends are now held for quota are told
     * (once per shop and quota period, issue #8).
     */
    public Job sendJob(SendWorker worker, int batchSize, com.ecomcrm.jobs.notices.QuotaNotices quotaNotices) {
        return new JobBuilder("sendJob", repository)
                // No transaction around the drain (ResourcelessTransactionManager): with the JDBC one, every SENT /
                // SKIPPED mark of the worker joined one transaction that lasted the whole drain, so other readers saw
                // none until the end, and a crash or one failure rolled back every mark before it (those sends, already
                // delivered, then ended HELD for review). Each result commits on its own, as SendWorker documents; its
                // claims commit in their own transactions anyway.
                .start(new StepBuilder("sendDue", repository)
                        .tasklet((contribution, context) -> {
                            worker.holdExpiredLeases();
                            worker.releaseQuotaHolds();
                            contribution.incrementWriteCount(worker.drain(batchSize));
                            if (quotaNotices != null) {
                                quotaNotices.sendDue();
                            }
                            return RepeatStatus.FINISHED;
                        }, new ResourcelessTransactionManager())
                        .build())
                .build();
    }

    /** Launches {@code job} once, synchronously, with a unique run id. */
    public JobExecution run(Job job) {
        try {
            return launcher.run(job, new JobParametersBuilder()
                    .addString("run.id", UUID.randomUUID().toString())
                    .toJobParameters());
        }
        catch (Exception e) {
            throw new IllegalStateException("Cannot run " + job.getName() + ": " + e.getMessage(), e);
        }
    }
}
