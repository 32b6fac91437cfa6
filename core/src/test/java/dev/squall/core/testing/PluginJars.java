package dev.squall.core.testing;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Builds a job handler plugin the way a user would: compiles one class against the test classpath
 * and packs it, with its {@code META-INF/services} entry, into a jar in a plugins folder.
 *
 * <pre>{@code
 * Path plugins = PluginJars.build(dir, "demo.Hello", "package demo; public final class Hello implements ... { ... }");
 * }</pre>
 */
public final class PluginJars {
    private PluginJars() {
    }

    /** Returns the plugins folder ({@code dir/plugins}) holding one jar with {@code className}. */
    public static Path build(Path dir, String className, String source) throws IOException {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        String path = className.replace('.', '/');
        Path src = dir.resolve("src/" + path + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(), src.toString());
        if (rc != 0) {
            throw new IllegalStateException("the plugin " + className + " did not compile");
        }
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(plugins.resolve(simple.toLowerCase() + ".jar")))) {
            jar.putNextEntry(new JarEntry(path + ".class"));
            Files.copy(classes.resolve(path + ".class"), (OutputStream) jar);
            jar.putNextEntry(new JarEntry("META-INF/services/dev.squall.core.JobHandler"));
            jar.write((className + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return plugins;
    }
}
