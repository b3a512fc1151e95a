#!/usr/bin/env bash
# Assembles the production distribution (dist/pom.xml, profile "production"):
#   assemble.sh VERSION REPO_ROOT TARGET_DIR
# into TARGET_DIR/ecomcrm-VERSION/ and TARGET_DIR/ecomcrm-VERSION.tar.gz:
#   lib/api, lib/jobs      the program's jar and its whole runtime classpath (as bin/run uses it in development)
#   lib/pipelines          the same for the pipelines, minus every artifact of Spark SQL's own dependency tree
#                          (TARGET_DIR/spark-provided-classpath.txt): the apache/spark image has those in
#                          /opt/spark/jars, and a second copy of Netty, Jackson or Hadoop at another version is what
#                          fails a driver with linkage errors. EXCLUDED-FROM-PIPELINES.txt lists what was left out.
#   bin/                   the launch scripts (dist/src/main/bin)
# Artifacts are compared by group and artifact id (their folder in the local repository), not by file name, so a
# different version of a Spark jar is left out too.
set -euo pipefail
version="$1"; root="$2"; target="$3"
name="ecomcrm-$version"
out="$target/$name"
rm -rf "$out" "$out.tar.gz"
mkdir -p "$out/lib/api" "$out/lib/jobs" "$out/lib/pipelines" "$out/bin"

# groupPath/artifactId of a jar in the local repository: .../repository/org/apache/spark/spark-sql_2.13/4.0.1/x.jar
artifact_key() { dirname "$(dirname "$1")" | sed 's:.*/repository/::'; }

copy_program() { # module lib-folder [excluded-keys-file]
  local module="$1" lib="$2" excluded="${3:-}"
  local jar="$root/$module/target/$module-$version.jar" classpath="$root/$module/target/runtime-classpath.txt"
  for file in "$jar" "$classpath"; do
    [ -f "$file" ] || { echo "assemble.sh: $file is missing: package $module first" >&2; exit 1; }
  done
  cp "$jar" "$out/lib/$lib/"
  tr ':' '\n' <"$classpath" | while read -r entry; do
    [ -n "$entry" ] || continue
    if [ ! -f "$entry" ]; then
      echo "assemble.sh: $module's classpath entry $entry is not a jar file" >&2; exit 1
    fi
    if [ -n "$excluded" ] && grep -qxF "$(artifact_key "$entry")" "$excluded"; then
      basename "$entry" >>"$out/lib/$lib/EXCLUDED-FROM-PIPELINES.txt"
      continue
    fi
    cp "$entry" "$out/lib/$lib/"
  done
}

spark_keys="$target/spark-provided-keys.txt"
tr ':' '\n' <"$target/spark-provided-classpath.txt" | while read -r entry; do
  [ -n "$entry" ] && artifact_key "$entry"
done | sort -u >"$spark_keys"

copy_program api-server api
copy_program jobs jobs
copy_program pipelines pipelines "$spark_keys"
mv "$out/lib/pipelines/EXCLUDED-FROM-PIPELINES.txt" "$out/EXCLUDED-FROM-PIPELINES.txt"
sort -o "$out/EXCLUDED-FROM-PIPELINES.txt" "$out/EXCLUDED-FROM-PIPELINES.txt"
# The pipelines' jar under a name without the version, for spark-submit's application jar.
cp "$out/lib/pipelines/pipelines-$version.jar" "$out/lib/pipelines.jar"
# Spark on Java 17 needs these --add-opens (the root pom's spark.jvm.opens), read by bin/pipelines.
sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml" >"$out/lib/spark-jvm-opens.txt"
cp "$root/dist/src/main/bin/"* "$out/bin/"
chmod 755 "$out/bin/"*
echo "$version" >"$out/VERSION"
tar -C "$target" -czf "$out.tar.gz" "$name"
echo "assemble.sh: $out.tar.gz (api $(ls "$out/lib/api" | wc -l) jars, jobs $(ls "$out/lib/jobs" | wc -l)," \
  "pipelines $(ls "$out/lib/pipelines" | wc -l), $(wc -l <"$out/EXCLUDED-FROM-PIPELINES.txt") left to Spark's image)"
