#!/usr/bin/env python3
"""moto's S3 server WITHOUT signature checks, on a free loopback port, with an empty bucket windflow-test. For the
one thing the checking server (moto.sh) cannot do: serve presigned URLs (moto then asks every request for an
Authorization header). The signatures themselves are checked against botocore's elsewhere; this server shows that a
presigned URL is one plain curl can use. Prints its port on the first line of stdout, then serves until killed."""
import socket
import sys
import time

import boto3
from moto.server import ThreadedMotoServer

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
             aws_access_key_id="open", aws_secret_access_key="open").create_bucket(Bucket="windflow-test")
print(port, flush=True)
sys.stdout.close()
while True:
    time.sleep(3600)
