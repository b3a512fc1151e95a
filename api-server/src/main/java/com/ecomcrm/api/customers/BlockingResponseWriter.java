package com.ecomcrm.api.customers;

import com.ecomcrm.domain.DomainException;
import com.ecomcrm.domain.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Lets a worker thread that reads a long result (the CSV export) write it to a chunked response with back-pressure:
 * {@link #write} hands a chunk to the connection on its event loop and returns only once the connection's write queue
 * has room again, so a slow download holds the reader back instead of piling the export up in memory. What is held at
 * any time is the chunk being built plus the connection's write queue (its high-water mark), whatever the export's
 * size.
 *
 * <p>The response belongs to the event loop: every call on it is made there ({@link Context#runOnContext}); the worker
 * only waits. A closed connection or a reset ends the wait at once with {@link DownloadClosed}, which the reader lets
 * through to stop its query.
 */
final class BlockingResponseWriter {
    private final Context context;
    private final HttpServerResponse response;
    private final Duration stallLimit;
    /** Set on the event loop when the connection went away; read by the worker. */
    private volatile DownloadClosed closed;
    /** The wait in progress, if any; only touched on the event loop. */
    private CompletableFuture<Void> waiting;

    /** Must be made on the response's event loop (it registers the close handlers there). */
    BlockingResponseWriter(Context context, HttpServerResponse response, Duration stallLimit) {
        this.context = requireNonNull(context, "context is null");
        this.response = requireNonNull(response, "response is null");
        this.stallLimit = requireNonNull(stallLimit, "stallLimit is null");
        response.closeHandler(v -> gone(new DownloadClosed("the connection was closed before the download ended")));
        response.exceptionHandler(e -> gone(new DownloadClosed("the connection failed: " + e.getMessage())));
    }

    /**
     * Writes {@code chunk} and waits until the connection can take more. Called from a worker thread only.
     *
     * @throws DownloadClosed when the connection is gone, or the client took nothing for {@code stallLimit}
     */
    void write(Buffer chunk) {
        requireNonNull(chunk, "chunk is null");
        CompletableFuture<Void> room = new CompletableFuture<>();
        context.runOnContext(v -> {
            if (closed != null) {
                room.completeExceptionally(closed);
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                waiting = room;
                response.drainHandler(drained -> {
                    waiting = null;
                    room.complete(null);
                });
            }
            else {
                room.complete(null);
            }
        });
        await(room);
    }

    /** Ends the response (on the event loop). */
    void end() {
        context.runOnContext(v -> {
            if (closed == null) {
                response.end();
            }
        });
    }

    /**
     * Breaks the transfer (on the event loop): after the headers a status can no longer say that the export failed,
     * and a reset makes the download fail visibly instead of ending as a file that looks complete.
     */
    void abort() {
        context.runOnContext(v -> {
            if (closed == null && !response.ended()) {
                response.reset();
            }
        });
    }

    private void gone(DownloadClosed reason) {
        if (closed == null) {
            closed = reason;
        }
        if (waiting != null) {
            waiting.completeExceptionally(closed);
            waiting = null;
        }
    }

    private void await(CompletableFuture<Void> room) {
        try {
            room.get(stallLimit.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            throw e.getCause() instanceof DownloadClosed c ? c : new DownloadClosed("the write failed: " + e.getCause());
        }
        catch (TimeoutException e) {
            throw new DownloadClosed("the client took nothing for " + stallLimit.toSeconds() + " s");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadClosed("interrupted while waiting for the client");
        }
    }

    /** The download cannot go on: the client went away or stopped reading. */
    static final class DownloadClosed extends DomainException {
        DownloadClosed(String why) {
            super(ErrorCode.UNAVAILABLE, "Cannot finish the download: " + why);
        }
    }
}
