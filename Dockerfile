# policy-check in a container: a slim Python, the wheel built from this checkout, the
# dependencies at the versions of requirements/lock.txt, and a user without privileges.
#
#   docker build -t policy-check .
#   docker run --rm -v "$PWD:/work" policy-check check --policy policies/ --snapshot snapshots/
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY requirements/ requirements/
COPY checker/ checker/
COPY reports/ reports/
COPY policies/ policies/
# The build backend at its locked version, then the wheel, without build isolation.
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/lock.txt \
    && pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /dist . \
    && sed -e '/--hash/d' -e 's/ \\$//' requirements/lock.txt > /dist/constraints.txt

FROM python:3.12-slim
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir --constraint /tmp/dist/constraints.txt /tmp/dist/*.whl \
    && rm -rf /tmp/dist \
    && useradd --create-home --uid 10001 checker
USER checker
WORKDIR /work
ENTRYPOINT ["policy-check"]
CMD ["--help"]
