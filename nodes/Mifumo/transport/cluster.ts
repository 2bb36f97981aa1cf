/**
 * What queue mode keeps in n8n's Redis: the account's pace and the send-once record. A bundle of
 * its own (the Redis client inside), which the nodes load only in queue mode.
 */
export { ClusterPace, closeClusterConnections } from './clusterPace';
export { ClusterSendRecord } from './clusterRecord';
