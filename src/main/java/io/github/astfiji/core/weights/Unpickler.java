package io.github.astfiji.core.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The subset of Python's pickle machine (protocols 2-5) that {@code torch.save} writes for
 * a state dict: dicts, lists, tuples, numbers, strings, globals resolved by a callback, and
 * persistent ids (tensor storages) resolved by another. Anything outside that subset is
 * refused with the opcode's name: a weights file has no business running other code, and
 * nothing here ever executes anything a file names.
 */
final class Unpickler {

    /** A Python global named by the file, e.g. torch._utils._rebuild_tensor_v2. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A call of a global on arguments (REDUCE / NEWOBJ) that the caller did not resolve. */
    record Call(Global function, List<Object> args) {
    }

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final Function<Object, Object> persistentLoad;
    private final BiFunction<Global, List<Object>, Object> reduce;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    /**
     * @param persistentLoad turns a persistent id (for torch: a tuple naming a storage) into an object
     * @param reduce         applies a global to arguments; returns null to keep a generic {@link Call}
     */
    Unpickler(ByteBuffer in, Function<Object, Object> persistentLoad, BiFunction<Global, List<Object>, Object> reduce) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.persistentLoad = persistentLoad;
        this.reduce = reduce;
    }

    /** Reads one pickle (up to its STOP) from the buffer's position and returns its object. */
    Object load() throws IOException {
        try {
            while (true) {
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80: in.get(); break; // PROTO
                    case 0x95: in.getLong(); break; // FRAME: frames are just a read-ahead hint
                    case '.': return pop(); // STOP
                    case '(': push(MARK); break;
                    case '}': push(new LinkedHashMap<>()); break;
                    case ']': push(new ArrayList<>()); break;
                    case ')': push(List.of()); break;
                    case 'N': push(null); break;
                    case 0x88: push(Boolean.TRUE); break;
                    case 0x89: push(Boolean.FALSE); break;
                    case 'K': push((long) (in.get() & 0xff)); break;
                    case 'M': push((long) (in.getShort() & 0xffff)); break;
                    case 'J': push((long) in.getInt()); break;
                    case 0x8a: push(long1(in.get() & 0xff)); break; // LONG1
                    case 'G': push(in.order(ByteOrder.BIG_ENDIAN).getDouble()); in.order(ByteOrder.LITTLE_ENDIAN); break;
                    case 'X': push(string(in.getInt())); break; // BINUNICODE
                    case 0x8c: push(string(in.get() & 0xff)); break; // SHORT_BINUNICODE
                    case 0x8d: push(string(Math.toIntExact(in.getLong()))); break; // BINUNICODE8
                    case 'U': push(string(in.get() & 0xff)); break; // SHORT_BINSTRING
                    case 'T': push(string(in.getInt())); break; // BINSTRING
                    case 'C': push(bytes(in.get() & 0xff)); break; // SHORT_BINBYTES
                    case 'B': push(bytes(in.getInt())); break; // BINBYTES
                    case 'q': memo.put(in.get() & 0xff, peek()); break; // BINPUT
                    case 'r': memo.put(in.getInt(), peek()); break; // LONG_BINPUT
                    case 0x94: memo.put(memo.size(), peek()); break; // MEMOIZE
                    case 'h': push(memoGet(in.get() & 0xff)); break; // BINGET
                    case 'j': push(memoGet(in.getInt())); break; // LONG_BINGET
                    case 'c': push(new Global(line(), line())); break; // GLOBAL
                    case 0x93: { // STACK_GLOBAL
                        String name = (String) pop();
                        push(new Global((String) pop(), name));
                        break;
                    }
                    case 't': push(tuple(popToMark().toArray())); break; // TUPLE
                    case 0x85: push(tuple(pop())); break; // TUPLE1
                    case 0x86: { Object b = pop(); Object a = pop(); push(tuple(a, b)); break; }
                    case 0x87: { Object c = pop(); Object b = pop(); Object a = pop(); push(tuple(a, b, c)); break; }
                    case 'l': push(new ArrayList<>(popToMark())); break; // LIST
                    case 'd': { // DICT
                        List<Object> items = popToMark();
                        Map<Object, Object> d = new LinkedHashMap<>();
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            d.put(items.get(i), items.get(i + 1));
                        }
                        push(d);
                        break;
                    }
                    case 'a': { Object v = pop(); asList(peek()).add(v); break; } // APPEND
                    case 'e': { List<Object> items = popToMark(); asList(peek()).addAll(items); break; } // APPENDS
                    case 's': { Object v = pop(); Object k = pop(); asMap(peek()).put(k, v); break; } // SETITEM
                    case 'u': { // SETITEMS
                        List<Object> items = popToMark();
                        Map<Object, Object> d = asMap(peek());
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            d.put(items.get(i), items.get(i + 1));
                        }
                        break;
                    }
                    case 'Q': push(persistentLoad.apply(pop())); break; // BINPERSID
                    case 'R': case 0x81: { // REDUCE, NEWOBJ
                        Object args = pop();
                        Object fn = pop();
                        if (!(fn instanceof Global) || !(args instanceof List)) {
                            throw new IOException("unexpected call in the pickle (opcode " + (char) op + ")");
                        }
                        @SuppressWarnings("unchecked")
                        List<Object> list = (List<Object>) args;
                        Object result = reduce.apply((Global) fn, list);
                        push(result != null ? result : new Call((Global) fn, list));
                        break;
                    }
                    case 'b': pop(); break; // BUILD: the state of dicts (OrderedDict's _metadata) is not needed
                    default:
                        throw new IOException(String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("the pickle ends early (file cut short?)", e);
        } catch (ClassCastException | IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException e) {
            throw new IOException("the pickle does not have the structure of a PyTorch state dict (" + e.getMessage() + ")", e);
        }
    }

    private static List<Object> tuple(Object... items) {
        return java.util.Collections.unmodifiableList(java.util.Arrays.asList(items));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> asMap(Object o) {
        return (Map<Object, Object>) o;
    }

    private Object memoGet(int key) throws IOException {
        if (!memo.containsKey(key)) {
            throw new IOException("the pickle refers to memo entry " + key + " before defining it");
        }
        return memo.get(key);
    }

    private long long1(int n) {
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n); // two's complement of n bytes
        }
        return v;
    }

    private byte[] bytes(int n) {
        if (n < 0 || n > in.remaining()) {
            throw new java.nio.BufferUnderflowException(); // a length the file cannot hold: damaged
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String string(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        for (byte b = in.get(); b != '\n'; b = in.get()) {
            sb.append((char) b);
        }
        return sb.toString();
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() throws IOException {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw new IOException("the pickle has no mark where one is needed");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }
}
