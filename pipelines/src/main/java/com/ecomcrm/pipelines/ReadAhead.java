package com.ecomcrm.pipelines;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import static java.util.Objects.requireNonNull;

/**
 * An iterator read ahead by a thread of its own: up to {@code batches} batches of {@code batchSize} elements wait for
 * the reader. For a {@code Dataset.toLocalIterator()}, which runs one Spark job per partition only when the reader
 * asks for the partition's first row, this lets Spark compute the next partition while the driver works on the
 * current one (the publish's ClickHouse writes), instead of the two taking turns on the same cores.
 *
 * <p>The source's failure reaches the reader at the element where it happened, as the same unchecked exception (a
 * checked one wrapped). {@link #close()} stops the thread and must be called when the reader stops early; after the
 * last element the thread has already ended.
 */
final class ReadAhead<T> implements Iterator<T>, AutoCloseable {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    /** Set by {@link #close()}: the thread stops at its next element or put, even if the source swallowed the interrupt. */
    private volatile boolean closed;
    private List<T> batch = List.of();
    private int position;
    private boolean ended;

    ReadAhead(Iterator<T> source, String name, int batches, int batchSize) {
        requireNonNull(source, "source is null");
        if (batches < 1 || batchSize < 1) {
            throw new IllegalArgumentException("batches and batchSize must be positive: " + batches + ", " + batchSize);
        }
        this.queue = new ArrayBlockingQueue<>(batches);
        this.thread = new Thread(() -> fill(source, batchSize), name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void fill(Iterator<T> source, int batchSize) {
        try {
            List<T> next = new ArrayList<>(batchSize);
            while (!closed && source.hasNext()) {
                next.add(source.next());
                if (next.size() == batchSize) {
                    queue.put(next);
                    next = new ArrayList<>(batchSize);
                }
            }
            if (!next.isEmpty()) {
                queue.put(next);
            }
            queue.put(END);
        }
        catch (InterruptedException e) {
            // close(): the reader has stopped; nothing more is wanted.
            Thread.currentThread().interrupt();
        }
        catch (RuntimeException | Error e) {
            offerFailure(e);
        }
        catch (Exception e) {
            // A checked exception from an iterator (a Scala one may throw anything).
            offerFailure(new IllegalStateException(e));
        }
    }

    private void offerFailure(Throwable failure) {
        try {
            queue.put(new Failure(failure));
        }
        catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasNext() {
        if (position < batch.size()) {
            return true;
        }
        if (ended) {
            return false;
        }
        Object next;
        try {
            next = queue.take();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the next rows", e);
        }
        if (next == END) {
            ended = true;
            return false;
        }
        if (next instanceof Failure failure) {
            ended = true;
            if (failure.cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure.cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(failure.cause);
        }
        @SuppressWarnings("unchecked")
        List<T> rows = (List<T>) next;
        batch = rows;
        position = 0;
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return batch.get(position++);
    }

    /** Stops reading ahead; waits for the thread to end. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            while (thread.isAlive()) {
                queue.clear(); // a put the interrupt did not reach goes through, and the thread sees closed
                thread.join(50);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
        batch = List.of();
        ended = true;
    }

    private record Failure(Throwable cause) {
    }
}
