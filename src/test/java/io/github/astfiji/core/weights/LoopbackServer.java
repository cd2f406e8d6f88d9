package io.github.astfiji.core.weights;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP server on 127.0.0.1 that serves one file as a web server would, with Range
 * requests, and can cut a response short (a dropped connection) to test resuming.
 */
public final class LoopbackServer implements AutoCloseable {

    private final HttpServer server;
    private final byte[] content;
    private final String name;
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicLong bytesSent = new AtomicLong();
    public final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    /** Bytes after which the next response is cut (negative: none). */
    public volatile long cutAfter = -1;

    public LoopbackServer(String name, byte[] content) throws IOException {
        this.name = name;
        this.content = content;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base address, e.g. http://127.0.0.1:40123/models */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/models";
    }

    public String url() {
        return base() + "/" + name;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (!ex.getRequestURI().getPath().equals("/models/" + name)) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(String.valueOf(range));
        int start = 0;
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            start = Integer.parseInt(range.substring(6, range.length() - 1));
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
            ex.sendResponseHeaders(206, content.length - start);
        } else {
            ex.sendResponseHeaders(200, content.length);
        }
        long cut = cutAfter;
        cutAfter = -1;
        int end = cut >= 0 ? (int) Math.min(content.length, start + cut) : content.length;
        try (OutputStream out = ex.getResponseBody()) {
            out.write(content, start, end - start);
            bytesSent.addAndGet(end - start);
            if (end < content.length) {
                out.flush();
                throw new IOException("cut on purpose");
            }
        } catch (IOException e) {
            // an aborted exchange: the client sees the connection end before Content-Length
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
